// Follows an export's progress without reloading the page (the page refreshes itself
// through <noscript> when scripts are off). A static file: the CSP allows no inline script.
(function () {
  var box = document.getElementById("export-status");
  if (!box) return;
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        document.getElementById("export-label").textContent = s.label;
        document.getElementById("export-percent").textContent = s.percent;
        document.getElementById("export-progress").value = s.percent;
        if (s.status === "done") {
          document.getElementById("export-download").hidden = false;
          return;
        }
        if (s.status !== "failed") { setTimeout(poll, 1500); }
      });
  }
  setTimeout(poll, 1000);
})();
