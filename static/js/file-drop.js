// Drag and drop on the file questions of the proposal form: a file dropped on the question's
// zone goes into its file input, and its name is said (a live region). The input stays the
// native one, so the keyboard and the screen readers use it as usual. A static file: the
// CSP allows no inline script.
(function () {
  var inputs = document.querySelectorAll("input[type=file][data-drop-zone]");
  Array.prototype.forEach.call(inputs, function (input) {
    var zone = input.closest(".fr-upload-group") || input.parentElement;
    zone.classList.add("portal-drop-zone");
    var said = document.createElement("p");
    said.className = "fr-text--sm fr-mb-0 portal-drop-zone__chosen";
    said.setAttribute("aria-live", "polite");
    zone.appendChild(said);
    function sayChosen() {
      said.textContent = input.files && input.files.length
        ? "Fichier choisi : " + input.files[0].name + " (enregistré avec le formulaire)"
        : "";
    }
    input.addEventListener("change", sayChosen);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("portal-drop-zone--over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("portal-drop-zone--over");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      sayChosen();
    });
  });
})();
