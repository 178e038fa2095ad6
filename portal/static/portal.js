// Advisory Portal: the pages' only script, loaded as a file (the CSP allows no inline script).
// Every page works without it; it only adds conveniences.
"use strict";

// A private link's text box selects its whole link when it gets focus, ready to copy.
document.querySelectorAll("input.copy").forEach(function (input) {
  input.addEventListener("focus", function () { input.select(); });
});

// --- Print: the result page's Print button, and every section open on paper. ---
(function () {
  // The button needs this script, so the page ships it hidden and it appears here.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Paper cannot open a collapsed <details>, and Chrome's print CSS cannot show its content:
  // open them for printing (the Print button or the browser's own command), then close again
  // those that were closed.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
