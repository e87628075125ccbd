// The script selector switches as soon as a script is chosen; without JavaScript its 切换 button does it.
(function () {
  const select = document.getElementById("script-choice");
  if (!select || !select.form) return;
  select.addEventListener("change", function () { HTMLFormElement.prototype.submit.call(select.form); });
})();
