// A form sent back with errors: its error summary takes the focus, so that a keyboard or
// screen-reader user hears it first and follows its links to each field (RGAA 11.10/11.11).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-essaim-error-summary]");
  if (summary) {
    summary.focus();
  }
});
