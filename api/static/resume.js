// After signing in again, post the form the ended session interrupted (the page's button does it without script).
(function () {
  const form = document.querySelector("form[data-resume]");
  if (form) HTMLFormElement.prototype.submit.call(form);
})();
