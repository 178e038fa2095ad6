// Advisory Portal: the pages' only script, loaded as a file (the CSP allows no inline script).
// Every page works without it; it only adds conveniences.
"use strict";

// A private link's text box selects its whole link when it gets focus, ready to copy.
document.querySelectorAll("input.copy").forEach(function (input) {
  input.addEventListener("focus", function () { input.select(); });
});
