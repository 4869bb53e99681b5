/* Small console helpers: the print button and confirmations (no inline handlers, CSP-friendly). */
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
});
/* A failed save: the summary sits at the top; the focus goes to the first marked field, scrolled
   into the middle of the screen (the summary's links do the same for the others). */
(function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) { return; }
  function focusField(field) {
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }
  var first = document.querySelector("form [aria-invalid='true']") ||
    document.querySelector("form .has-error input, form .has-error select, form .has-error textarea");
  if (first) { focusField(first); } else { summary.focus(); }
  summary.querySelectorAll("a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) { event.preventDefault(); focusField(field); }
    });
  });
}());
/* "Sao chép tin nhắn": the clipboard where the browser allows it (HTTPS or localhost), else the
   old select-and-copy, which still works on an intranet served over plain HTTP. */
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var source = document.querySelector(button.getAttribute("data-copy"));
  var status = button.parentNode.querySelector(".copy-status");
  function said(key) { if (status) { status.textContent = button.getAttribute(key); } }
  function fallback() {
    source.focus();
    source.select();
    try { said(document.execCommand("copy") ? "data-copied" : "data-failed"); } catch (e) { said("data-failed"); }
  }
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(function () { said("data-copied"); }, fallback);
    } else {
      fallback();
    }
  });
});
