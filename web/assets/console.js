(function () {
  // The template editor's live preview: the form is posted to the preview
  // frame (as its Preview button does without script) a moment after each
  // change.
  var form = document.getElementById("tpl");
  var btn = document.getElementById("preview");
  if (form && btn && form.requestSubmit) {
    var timer = null;
    var go = function () { clearTimeout(timer); timer = setTimeout(function () { form.requestSubmit(btn); }, 250); };
    form.addEventListener("input", go);
    form.addEventListener("change", go);
    go();
  }
  [].forEach.call(document.querySelectorAll("form[data-confirm]"), function (f) {
    f.addEventListener("submit", function (e) { if (!confirm(f.getAttribute("data-confirm"))) e.preventDefault(); });
  });
  var logo = document.getElementById("logofile");
  if (logo && window.FileReader) {
    logo.addEventListener("change", function () {
      var file = logo.files[0];
      if (!file) return;
      var r = new FileReader();
      r.onload = function () { document.getElementById("logoUrl").value = r.result; form && form.dispatchEvent(new Event("input")); };
      r.readAsDataURL(file);
    });
  }
})();
