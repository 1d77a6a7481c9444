// Drafts save themselves: every form carrying data-autosave-url is posted there (fetch, no
// page reload) a few seconds after typing stops and whenever a field is left, with the
// optimistic version the page was loaded with; the server answers through the same service as
// the form's own save button (programme.web.autosave). A visible, politely announced status
// says "Enregistré à 14 h 32", "Enregistrement…" or "Non enregistré : …", and leaving the page
// with changes not saved asks first. A static file: the CSP allows no inline script.
(function () {
  "use strict";

  var LEAVE = "Vos dernières modifications ne sont pas enregistrées. Quitter la page quand même ?";
  var SAVING = "Enregistrement…";
  var OFFLINE = "Non enregistré : le serveur ne répond pas. Nouvel essai dans quelques secondes ; " +
    "ne fermez pas la page.";

  // The optimistic versions the form carries (hidden inputs): the page's, not what was typed.
  var VERSIONS = ["version", "autosave_version"];

  function serialize(form) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (VERSIONS.indexOf(name) >= 0 || name === "csrfmiddlewaretoken" || typeof value !== "string") {
        return;
      }
      parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(value));
    });
    return parts.join("&");
  }

  function setup(form) {
    var url = form.dataset.autosaveUrl;
    var delay = parseInt(form.dataset.autosaveInterval || "4000", 10);
    var status = document.getElementById(form.dataset.autosaveStatus || "autosave-status");
    var saved = serialize(form);
    var timer = null;
    var inflight = null;
    var stale = false;
    var leaving = false;

    function dirty() { return serialize(form) !== saved; }

    function show(text, kind) {
      if (!status) return;
      status.textContent = text;
      status.classList.remove("fr-message--error", "fr-message--valid", "fr-message--info");
      status.classList.add(kind === "error" ? "fr-message--error"
        : kind === "ok" ? "fr-message--valid" : "fr-message--info");
      status.hidden = false;
    }

    function clearFieldErrors() {
      form.querySelectorAll("[data-autosave-error]").forEach(function (node) {
        var input = document.getElementById(node.dataset.autosaveError);
        if (input) {
          input.removeAttribute("aria-invalid");
          var group = input.closest(".fr-input-group, .fr-select-group");
          if (group) group.classList.remove("fr-input-group--error", "fr-select-group--error");
          var described = (input.getAttribute("aria-describedby") || "").split(" ")
            .filter(function (id) { return id && id !== node.id; }).join(" ");
          if (described) input.setAttribute("aria-describedby", described);
          else input.removeAttribute("aria-describedby");
        }
        node.remove();
      });
    }

    function showFieldErrors(errors) {
      clearFieldErrors();
      Object.keys(errors || {}).forEach(function (id) {
        var input = id && document.getElementById(id);
        if (!input) return;
        var node = document.createElement("p");
        node.className = "fr-error-text";
        node.id = id + "-autosave-error";
        node.dataset.autosaveError = id;
        node.textContent = errors[id].join(" ");
        input.setAttribute("aria-invalid", "true");
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(node.id) < 0) described.push(node.id);
        input.setAttribute("aria-describedby", described.join(" "));
        var group = input.closest(".fr-input-group, .fr-select-group");
        if (group) {
          group.classList.add(group.classList.contains("fr-select-group")
            ? "fr-select-group--error" : "fr-input-group--error");
          group.appendChild(node);
        } else {
          input.insertAdjacentElement("afterend", node);
        }
      });
    }

    // Post the form now; resolves true once what is on screen is saved.
    function save() {
      clearTimeout(timer);
      if (stale) return Promise.resolve(false);
      if (inflight) return inflight.then(function () { return dirty() ? save() : true; });
      if (!dirty()) return Promise.resolve(true);
      var snapshot = serialize(form);
      var body = new FormData();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string") body.append(name, value);  // files go with the button
      });
      show(SAVING, "info");
      inflight = fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
      }).then(function (response) {
        return response.json();
      }).then(function (answer) {
        if (!answer.ok) {
          stale = Boolean(answer.stale);
          showFieldErrors(answer.errors);
          show(answer.status, "error");
          return false;
        }
        saved = snapshot;
        VERSIONS.forEach(function (name) {
          var input = form.elements.namedItem(name);
          if (input && input.type === "hidden") input.value = answer.version;
        });
        clearFieldErrors();
        show(answer.status, "ok");
        if (dirty()) schedule();
        return !dirty();
      }).catch(function () {
        show(OFFLINE, "error");
        schedule();
        return false;
      }).finally(function () {
        inflight = null;
      });
      return inflight;
    }

    function schedule() {
      clearTimeout(timer);
      if (!stale) timer = setTimeout(save, delay);
    }

    form.addEventListener("input", function () { if (dirty()) schedule(); });
    form.addEventListener("change", function () { if (dirty()) save(); });
    form.addEventListener("focusout", function () { if (dirty()) save(); });
    // The form's own buttons: an automatic save still under way is waited for (it moves the
    // version the form sends), then the form is sent with the button that was pressed.
    form.addEventListener("submit", function (event) {
      clearTimeout(timer);
      if (inflight) {
        event.preventDefault();
        var submitter = event.submitter;
        inflight.then(function () {
          leaving = true;
          if (submitter && form.requestSubmit) form.requestSubmit(submitter);
          else form.submit();
        });
        return;
      }
      leaving = true;
    });

    window.addEventListener("beforeunload", function (event) {
      if (leaving || !dirty()) return;
      event.preventDefault();
      event.returnValue = LEAVE;  // older browsers show a message only when one is set
    });

    // A link of the page (a tab such as "Vue d'ensemble", the breadcrumb): save first, and ask
    // only when what was typed could not be saved.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || leaving || event.defaultPrevented || !dirty()) return;
      var href = link.getAttribute("href");
      if (href.charAt(0) === "#" || link.target === "_blank" || link.hasAttribute("download")) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button > 0) return;
      event.preventDefault();
      save().then(function (done) {
        if (done || window.confirm(LEAVE)) {
          leaving = true;
          window.location.assign(link.href);
        }
      });
    });
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(setup);
})();
