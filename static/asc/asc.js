// Amazon Sales Channel — progressive enhancement. No inline scripts anywhere, so hosts can run
// a strict Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  document.documentElement.classList.add("asc-js");

  function dialog() { return document.getElementById("asc-dialog"); }

  // Banners: one <template> renders both flashed and HX-Trigger banners.
  function showBanner(level, message) {
    var region = document.getElementById("asc-banners");
    var tpl = document.getElementById("asc-banner-template");
    if (!region || !tpl) { return; }
    var node = tpl.content.firstElementChild.cloneNode(true);
    node.classList.add("asc-banner-" + level);
    if (level === "error") { node.setAttribute("role", "alert"); }
    node.querySelector("[data-asc-level]").textContent = node.querySelector("[data-asc-level]")
      .getAttribute("data-label-" + level) || "";
    node.querySelector("[data-asc-message]").textContent = message;
    region.appendChild(node);
  }

  document.addEventListener("asc:banner", function (event) {
    var detail = event.detail || {};
    var items = Array.isArray(detail.banners) ? detail.banners : [detail];
    items.forEach(function (b) { if (b && b.message) { showBanner(b.level || "info", b.message); } });
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-asc-dismiss]");
    if (dismiss) { dismiss.closest(".asc-banner").remove(); return; }
    var close = event.target.closest("[data-asc-close-dialog]");
    if (close && dialog()) { event.preventDefault(); dialog().close(); }
  });

  // The dialog opens when htmx puts content in it; focus goes to the first invalid field, else
  // the first field, so keyboard and screen-reader users land where the new content starts.
  var opener = null;
  document.addEventListener("htmx:afterSwap", function (event) {
    var d = dialog();
    var target = event.detail.target;
    if (!d || !target || target.id !== "asc-dialog-body" || !target.children.length) { return; }
    if (!d.open) {
      opener = document.activeElement;
      d.showModal();
    }
    var first = d.querySelector("[aria-invalid=true], [autofocus]") ||
      d.querySelector("input:not([type=hidden]), select, textarea") ||
      d.querySelector("form button, .asc-dialog-inner a:not([data-asc-close-dialog])");
    if (first) { first.focus(); }
  });
  document.addEventListener("asc:close-dialog", function () { if (dialog()) { dialog().close(); } });
  document.addEventListener("close", function (event) {
    if (event.target === dialog()) {
      document.getElementById("asc-dialog-body").replaceChildren();
      if (opener && document.body.contains(opener)) { opener.focus(); }
      opener = null;
    }
  }, true);

  // Connect: Seller Central opens in a new tab while this card waits and polls.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-asc-connect]");
    if (!form) { return; }
    form.target = "_blank";
    var tab = form.querySelector("input[name=new_tab]");
    if (tab) { tab.value = "1"; }
    var card = document.getElementById(form.getAttribute("data-asc-card"));
    var waitUrl = form.getAttribute("data-asc-wait-url");
    if (card && waitUrl && window.htmx) {
      window.setTimeout(function () {
        window.htmx.ajax("GET", waitUrl, { target: card, swap: "outerHTML" });
      }, 0);
    }
  });

  // The callback page in the Amazon tab closes itself when it can.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-asc-autoclose]")) { window.setTimeout(window.close, 1500); }
  });
})();
