// Amazon Sales Channel — progressive enhancement. No inline scripts anywhere, so hosts can run
// a strict Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  // htmx: the page's own copy when the host loads one (the plugin's pinned copy ran only if
  // there was none, see asc_plugin/views/assets.py). Next to a host's htmx 1.x, which the plugin
  // cannot run on and which a second copy would fight, the plugin's pages opt out of htmx and
  // work as plain pages, as they do without JavaScript.
  var usable = !!window.htmx && /^2\./.test(window.htmx.version || "");
  function root() { return document.getElementById("asc-root"); }
  if (usable) {
    document.documentElement.classList.add("asc-js");
  } else if (window.htmx && root()) {
    root().setAttribute("hx-disable", "");
  }

  function dialog() { return document.getElementById("asc-dialog"); }

  // A host's htmx.config is the host's: what the plugin's own requests rely on is stated here
  // for them alone. No timeout (a host's htmx.config.timeout would abort a slow page), and the
  // swap delay htmx has by default and no settle delay (a host's defaultSwapDelay/defaultSettleDelay
  // would leave dialogs and polls late), no view transition (globalViewTransitions would show
  // the old count or card fading out for a while); the swap style is the element's own hx-swap or the
  // root's (templates/asc/layout.html), found even under htmx.config.disableInheritance.
  function ours(elt) { var r = root(); return !!(r && elt && elt.nodeType === 1 && r.contains(elt)); }
  document.addEventListener("htmx:configRequest", function (event) {
    if (!ours(event.detail.elt)) { return; }
    event.detail.timeout = 0;
    event.detail.withCredentials = false;
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var source = detail.requestConfig && detail.requestConfig.elt;  // detail.elt is the target
    if (!ours(source) || !detail.shouldSwap) { return; }
    var spec = detail.swapOverride;
    if (!spec) {
      var own = source.closest("[hx-swap], [data-hx-swap]");
      spec = (own && ours(own) && (own.getAttribute("hx-swap") ||
                                   own.getAttribute("data-hx-swap"))) || "innerHTML";
    }
    if (!/(^|\s)swap:/.test(spec)) { spec += " swap:0ms"; }
    // Settled at once: htmx wires new content only when it settles, and a link or button the
    // merchant can already see must already listen (Enter pressed on a freshly swapped link
    // within htmx's 20 ms would otherwise follow it for real, leaving the dialog).
    if (!/(^|\s)settle:/.test(spec)) { spec += " settle:0ms"; }
    if (!/(^|\s)transition:/.test(spec)) { spec += " transition:false"; }
    detail.swapOverride = spec;
  });

  // Banners: one <template> renders both flashed and HX-Trigger banners.
  // A banner about a store (data-asc-key) replaces an older one about the same store.
  function showBanner(level, message, key) {
    var region = document.getElementById("asc-banners");
    var tpl = document.getElementById("asc-banner-template");
    if (!region || !tpl) { return; }
    if (key) {
      region.querySelectorAll("[data-asc-key]").forEach(function (old) {
        if (old.getAttribute("data-asc-key") === key) { old.remove(); }
      });
    }
    var node = tpl.content.firstElementChild.cloneNode(true);
    node.classList.add("asc-banner-" + level);
    if (level === "error") { node.setAttribute("role", "alert"); }
    if (key) { node.setAttribute("data-asc-key", key); }
    ["level", "icon"].forEach(function (part) {
      var el = node.querySelector("[data-asc-" + part + "]");
      el.textContent = el.getAttribute("data-" + (part === "level" ? "label" : "icon") + "-" +
                                       level) || "";
    });
    node.querySelector("[data-asc-message]").textContent = message;
    region.appendChild(node);
  }

  document.addEventListener("asc:banner", function (event) {
    var detail = event.detail || {};
    var items = Array.isArray(detail.banners) ? detail.banners : [detail];
    items.forEach(function (b) {
      if (b && b.message) { showBanner(b.level || "info", b.message, b.key); }
    });
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-asc-dismiss]");
    if (dismiss) { dismiss.closest(".asc-banner").remove(); return; }
    var ask = document.getElementById("asc-discard");
    if (event.target.closest("[data-asc-keep]")) { ask.hidden = true; return; }
    if (event.target.closest("[data-asc-discard-yes]")) { dialog().close(); return; }
    var close = event.target.closest("[data-asc-close-dialog]");
    if (close && dialog() && dialog().open) {
      event.preventDefault();
      if (changed(dialog()) && ask && ask.hidden) { askToDiscard(); } else { dialog().close(); }
    }
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
      document.getElementById("asc-discard").hidden = true;
      if (opener && document.body.contains(opener)) { opener.focus(); }
      opener = null;
    }
  }, true);

  // Inline validation never goes stale: editing a field clears its errors (the server checks
  // again on submit, and name and email right away, whose answer sets them back).
  function field(el) { return el && el.closest ? el.closest(".asc-field") : null; }
  function markInvalid(box, invalid) {
    var input = box.querySelector("input, select, textarea");
    if (!input) { return; }
    if (invalid) { input.setAttribute("aria-invalid", "true"); }
    else { input.removeAttribute("aria-invalid"); }
  }
  function clearErrors(event) {
    var box = field(event.target);
    if (!box || !box.querySelector(".asc-error")) { return; }
    box.querySelectorAll(".asc-error").forEach(function (error) { error.remove(); });
    markInvalid(box, false);
    var form = box.closest("form");
    var summary = form && form.querySelector("[data-asc-form-errors]");
    if (summary && !form.querySelector("[aria-invalid=true], .asc-field .asc-error")) {
      summary.remove();
    }
  }
  document.addEventListener("input", clearErrors);
  document.addEventListener("change", clearErrors);
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && /-feedback$/.test(target.id)) {
      markInvalid(field(target), !!target.querySelector(".asc-error"));
    }
  });

  // A condition row re-rendered around a kept value input (hx-preserve) marks that input as
  // its new markup says: invalid while the row shows an error for it.
  document.addEventListener("htmx:load", function (event) {
    var row = event.detail.elt;
    if (!row || !row.classList || !row.classList.contains("asc-rule-row")) { return; }
    var input = row.querySelector("input[name$='-value']:not([type=hidden])");
    if (input) { markInvalidInput(input, !!row.querySelector(".asc-error")); }
  });
  function markInvalidInput(input, invalid) {
    if (invalid) { input.setAttribute("aria-invalid", "true"); }
    else { input.removeAttribute("aria-invalid"); }
  }

  // Esc or Close with unsaved changes asks first instead of throwing the typing away.
  function changed(root) {
    return Array.prototype.some.call(root.querySelectorAll("input, select, textarea"),
      function (el) {
        if (el.type === "hidden" || el.type === "submit" || el.type === "button") { return false; }
        if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
        if (el.tagName === "SELECT") {  // with no option marked selected, the first one is
          var initial = Array.prototype.findIndex.call(el.options, function (o) {
            return o.defaultSelected;
          });
          return el.selectedIndex !== Math.max(initial, 0);
        }
        return el.value !== el.defaultValue;
      });
  }
  function askToDiscard() {
    var ask = document.getElementById("asc-discard");
    if (!ask) { return; }
    ask.hidden = false;
    ask.querySelector("[data-asc-keep]").focus();
  }
  document.addEventListener("cancel", function (event) {
    var d = dialog();
    if (event.target === d && changed(d) && document.getElementById("asc-discard").hidden) {
      event.preventDefault();
      askToDiscard();
    }
  }, true);

  // Connect: Seller Central opens in a new tab while the card (or panel) waits and polls.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-asc-connect]");
    if (!form || !usable) { return; }  // without htmx: this tab goes to Amazon and comes back
    form.target = "_blank";
    var tab = form.querySelector("input[name=new_tab]");
    if (tab) { tab.value = "1"; }
    var target = document.getElementById(form.getAttribute("data-asc-target"));
    var waitUrl = form.getAttribute("data-asc-wait-url");
    if (target && waitUrl && window.htmx) {
      window.setTimeout(function () {
        window.htmx.ajax("GET", waitUrl, { source: target, target: target, swap: "outerHTML" });
      }, 0);
    }
  });

  // The callback page in the Amazon tab closes itself when it can.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-asc-autoclose]")) { window.setTimeout(window.close, 1500); }
  });
})();
