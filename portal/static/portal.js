// Advisory Portal: the pages' only script, loaded as a file (the CSP allows no inline script).
// Every page works without it; it only adds conveniences.
"use strict";

// --- The private link: its box selects the whole link on focus; the Copy button copies it. ---
(function () {
  document.querySelectorAll("input.copy").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copied"));
    if (!input || !status) { return; }
    button.hidden = false;  // shipped hidden: without this script it could do nothing
    function say(text) {
      // Emptied first, so a second copy is announced again.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
    function selectIt() {
      input.focus();
      input.select();
      try {
        if (document.execCommand("copy")) { say("Link copied"); return; }
      } catch (ignored) { /* an old browser: the selected text is there to copy by hand */ }
      say("The link is selected: copy it with your keyboard or menu.");
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () { say("Link copied"); }, selectIt);
      } else {
        selectIt();
      }
    });
  });
})();

// --- The questionnaire: follow-ups appear in place, progress follows the answers. ---
// The page holds every question; those skip logic hides are hidden and disabled (their inputs
// are not sent), with their condition in data-when (the question) and data-when-in (its answers).
// The server applies the same rule again when the page is saved.
(function () {
  var form = document.querySelector("form[data-questionnaire]");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question[data-key]"));
  var byKey = {};
  questions.forEach(function (question) { byKey[question.getAttribute("data-key")] = question; });
  var announcer = form.querySelector("[data-announce]");

  function chosen(question) {
    return Array.prototype.map.call(
      question.querySelectorAll("input[type=radio]:checked, input[type=checkbox]:checked"),
      function (input) { return input.value; }
    );
  }

  // Skip logic, as the server's: a follow-up shows when the question it follows shows and got one
  // of its answers. A question it follows that is asked on another page is the server's to decide.
  function applySkipLogic() {
    var seen = {}, added = 0, removed = 0;
    questions.forEach(function (question) {
      var key = question.getAttribute("data-when");
      var trigger = key && byKey[key];
      if (trigger) {
        var allowed = question.getAttribute("data-when-in").split(" ");
        var show = Boolean(seen[key]) && !trigger.hidden && chosen(trigger).some(function (value) {
          return allowed.indexOf(value) !== -1;
        });
        if (show === question.hidden) {
          question.hidden = !show;
          question.disabled = !show;
          if (show) { added += 1; } else { removed += 1; }
        }
      }
      seen[question.getAttribute("data-key")] = true;
    });
    var words = [];
    if (added) { words.push(added + " follow-up question" + (added === 1 ? " was" : "s were") + " added below."); }
    if (removed) { words.push(removed + " follow-up question" + (removed === 1 ? " no longer applies and was" : "s no longer apply and were") + " removed."); }
    if (words.length) { announcer.textContent = words.join(" "); }
  }

  // Done: answered, or left out by skip logic. A follow-up waiting for the answer it depends on
  // is not done yet, so the count only ever grows as the client answers.
  function done(question) {
    if (!question.hidden) { return chosen(question).length > 0; }
    var trigger = byKey[question.getAttribute("data-when")];
    if (!trigger) { return !question.hasAttribute("data-waiting"); }
    return trigger.hidden ? done(trigger) : chosen(trigger).length > 0;
  }

  var progress = document.querySelector("[data-progress]");
  function updateProgress() {
    if (!progress) { return; }
    var onPage = questions.filter(function (q) { return q.hasAttribute("data-required") && done(q); }).length;
    var total = Number(progress.getAttribute("data-total-done")) -
      Number(progress.getAttribute("data-page-done")) + onPage;
    var pageCount = progress.querySelector("[data-count=page]");
    var totalCount = progress.querySelector("[data-count=total]");
    var bar = progress.querySelector("progress");
    if (pageCount) { pageCount.textContent = onPage; }
    if (totalCount) { totalCount.textContent = total; }
    if (bar) { bar.value = total; bar.textContent = total + " of " + bar.max; }
  }

  form.addEventListener("change", function () {
    applySkipLogic();
    updateProgress();
  });
})();

// --- Links to a question (Change, resume, the error summary): focus its answer, not just scroll. ---
(function () {
  function focusTarget(hash) {
    var target = hash.length > 1 && document.getElementById(hash.slice(1));
    if (!target) { return; }
    if (target.matches("fieldset.question")) {
      var input = target.querySelector("input:checked:not([type=hidden])") ||
        target.querySelector("input:not([type=hidden])");
      if (input) { input.focus({ preventScroll: true }); }
      target.scrollIntoView({ block: "start" });
    } else if (target.getAttribute("tabindex") === "-1") {
      target.focus();
    }
  }
  // A link to the fragment already in the address changes no hash: clicks are watched too.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (link) { window.setTimeout(function () { focusTarget(link.getAttribute("href")); }, 0); }
  });
  window.addEventListener("hashchange", function () { focusTarget(window.location.hash); });
  // After the browser's own move to the fragment at load, which would take the focus back.
  window.addEventListener("load", function () {
    window.setTimeout(function () { focusTarget(window.location.hash); }, 0);
  });
})();

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
