// Type-ahead for the search box: fills the datalist from /api/v1/suggest. The page works without it.
(function () {
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  const script = document.getElementById("script-choice");
  if (!input || !list) return;
  let timer = null;
  let last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const q = input.value.trim();
      if (!q || q === last) return;
      last = q;
      const params = new URLSearchParams({ q: q, limit: "8", script: script ? script.value : "zh-Hans" });
      try {
        const response = await fetch("/api/v1/suggest?" + params);
        if (!response.ok) return;
        const items = await response.json();
        if (input.value.trim() !== q) return;  // typed on meanwhile: a later answer is on its way
        list.replaceChildren(...items.map(function (item) {
          const option = document.createElement("option");
          option.value = item.label;
          if (item.matched !== item.label) option.label = item.matched;
          return option;
        }));
      } catch (e) { /* offline or server gone: keep the plain form */ }
    }, 120);
  });
})();
// Small screens: fold the facets away below the results (they stay one tap away).
(function () {
  const facets = document.querySelector("details.facets");
  if (facets && window.matchMedia("(max-width: 40rem)").matches) facets.open = false;
})();
