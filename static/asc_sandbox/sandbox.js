// Next stays disabled until "I understand…" is ticked (the server checks it too, for no-JS use).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-sb-enables]").forEach(function (box) {
    var target = document.getElementById(box.getAttribute("data-sb-enables"));
    if (!target) { return; }
    var sync = function () { target.disabled = !box.checked; };
    box.addEventListener("change", sync);
    sync();
  });
});
