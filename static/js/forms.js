// What every form of the site shares (a static file: the CSP allows no inline script):
// - after a refused save, focus goes to the form's error summary, and each of its links moves
//   focus to the field in error;
// - after a successful save that comes back to the same page, focus goes to the section that
//   was saved instead of the top of the page (no twenty Tab presses to get back);
// - a field with a length limit shows "120 caractères sur 3 000", said politely by screen
//   readers when typing pauses near the limit, never at each keystroke;
// - a section showing its progress ("3 / 4 réponses") counts again as it is filled.
(function () {
  "use strict";

  var KEY = "forms:saved-section";

  function number(n) { return n.toLocaleString("fr-FR"); }

  // --- Focus after a save --------------------------------------------------------------------

  function focusOn(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex") && !/^(A|INPUT|SELECT|TEXTAREA|BUTTON)$/.test(element.tagName)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    if (element.scrollIntoView) element.scrollIntoView({ block: "start" });
  }

  // The page's forms posting to `action` ("" for the page itself): how a form is found again
  // on the page that follows its save, whatever other forms come and go around it.
  function sameAction(action) {
    return Array.prototype.filter.call(document.querySelectorAll("form"), function (form) {
      return (form.getAttribute("method") || "").toLowerCase() === "post" &&
        (form.getAttribute("action") || "") === action;
    });
  }

  var summary = document.querySelector("[data-error-summary]");
  var remembered = null;
  try { remembered = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { remembered = null; }
  try { sessionStorage.removeItem(KEY); } catch (e) { /* private browsing */ }
  if (summary) {
    focusOn(summary);
  } else if (remembered && remembered.path === window.location.pathname &&
             document.querySelector(".fr-alert--success")) {
    var form = sameAction(remembered.action)[remembered.form];
    if (form) {
      var sections = form.querySelectorAll("fieldset.fr-fieldset");
      focusOn(sections[remembered.section] || form);
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    focusOn(target);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
    var action = form.getAttribute("action") || "";
    var sections = Array.prototype.slice.call(form.querySelectorAll("fieldset.fr-fieldset"));
    var active = document.activeElement;
    var section = sections.findIndex(function (s) { return s.contains(active); });
    try {
      sessionStorage.setItem(KEY, JSON.stringify({
        path: window.location.pathname, action: action, form: sameAction(action).indexOf(form),
        section: Math.max(section, 0),
      }));
    } catch (e) { /* private browsing */ }
  });

  // --- Character counters --------------------------------------------------------------------

  var announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("p");
      announcer.className = "fr-sr-only";
      announcer.setAttribute("aria-live", "polite");
      document.body.appendChild(announcer);
    }
    announcer.textContent = text;
  }

  document.querySelectorAll("[data-counter]").forEach(function (input) {
    var counter = document.getElementById(input.dataset.counter);
    if (!counter) return;
    var limit = parseInt(counter.dataset.limit, 10);
    var pause = null;
    function text() {
      var length = input.value.length;
      var said = number(length) + " caractères sur " + number(limit);
      if (length > limit) said += " : " + number(length - limit) + " de trop";
      else if (length >= limit * 0.9) said += " : il en reste " + number(limit - length);
      return said;
    }
    function update() {
      counter.textContent = text();
      counter.classList.toggle("fr-error-text", input.value.length > limit);
      clearTimeout(pause);
      pause = setTimeout(function () {
        if (input.value.length >= limit * 0.8) announce(text());
      }, 1500);
    }
    counter.textContent = text();
    input.addEventListener("input", update);
  });

  // --- Progress of each section ----------------------------------------------------------------

  function answered(fieldset, name) {
    var filled = false;
    fieldset.querySelectorAll("[name='" + name + "']").forEach(function (element) {
      if (element.type === "checkbox" || element.type === "radio") filled = filled || element.checked;
      else filled = filled || element.value.trim() !== "";
    });
    return filled;
  }

  document.querySelectorAll("[data-progress]").forEach(function (badge) {
    var fieldset = badge.closest("fieldset");
    if (!fieldset) return;
    function count() {
      var names = [];
      fieldset.querySelectorAll("input, textarea, select").forEach(function (element) {
        if (element.type === "hidden" || element.type === "submit" || !element.name) return;
        if (names.indexOf(element.name) < 0) names.push(element.name);
      });
      var done = names.filter(function (name) { return answered(fieldset, name); }).length;
      badge.textContent = done + " / " + names.length + (names.length > 1 ? " réponses" : " réponse");
    }
    fieldset.addEventListener("input", count);
    fieldset.addEventListener("change", count);
  });
})();
