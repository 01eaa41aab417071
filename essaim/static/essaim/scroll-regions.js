// A table wider than the screen scrolls inside its DSFR frame. Keyboard users must be
// able to reach and scroll it too (RGAA 7.3, WCAG 2.1.1): while it overflows, the
// scrolling element takes a place in the tab order (the table keeps its caption as name).
(function () {
  "use strict";
  var SELECTOR = ".fr-table table, .fr-table__content";

  function mark(root) {
    root.querySelectorAll(SELECTOR).forEach(function (element) {
      var overflows = element.scrollWidth > element.clientWidth + 1;
      if (overflows && !element.hasAttribute("tabindex")) {
        element.setAttribute("tabindex", "0");
        element.setAttribute("data-essaim-scroll", "");
      } else if (!overflows && element.hasAttribute("data-essaim-scroll")) {
        element.removeAttribute("tabindex");
        element.removeAttribute("data-essaim-scroll");
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { mark(document); }, 150);
  });
  document.addEventListener("htmx:afterSettle", function (event) { mark(event.target); });
  mark(document);
})();
