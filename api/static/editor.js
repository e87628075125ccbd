// Type-ahead for the concept fields of the editor forms (broader, related, replaced by): fills a
// datalist from /api/v1/suggest with concept ids, labelled with their names. The form works without it.
(function () {
  const list = document.getElementById("concept-suggestions");
  if (!list) return;
  let timer = null;
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const q = input.value.trim();
        if (!q) return;
        try {
          const response = await fetch("/api/v1/suggest?" + new URLSearchParams({ q: q, limit: "8" }));
          if (!response.ok) return;
          const items = await response.json();
          if (input.value.trim() !== q) return;  // typed on meanwhile: a later answer is on its way
          list.replaceChildren(...items.filter(function (i) { return i.kind === "concept"; }).map(function (item) {
            const option = document.createElement("option");
            option.value = item.id;
            option.label = item.label;
            return option;
          }));
        } catch (e) { /* offline: the field still takes an id or a name */ }
      }, 150);
    });
  });
})();
