// The deliberation page renders its rows read-only; a row's "Décider" link opens that one
// decision form in place: the form is fetched as a fragment of the one-row page and
// swapped into the row. Without scripts the link leads to the one-row page itself.
// A static file: the CSP allows no inline script.
(function () {
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-decision-form]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var box = document.getElementById(link.dataset.decisionForm);
    if (!box) return;
    event.preventDefault();
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("fragment", "1");
    link.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        link.parentElement.hidden = true;
        var field = box.querySelector("select, textarea, input:not([type=hidden])");
        if (field) field.focus();
      })
      .catch(function () {
        window.location.href = link.href; // the one-row page, as without scripts
      });
  });
})();
