/* Tap an image (a[data-zoom]) to see it large over the page; tap again or Escape to close.
   Without JavaScript the same link opens the image on its own. */
(function () {
  "use strict";
  var overlay = null;

  function close() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-zoom]");
    if (!link) { return; }
    event.preventDefault();
    close();
    var source = link.querySelector("img") || link.closest("label, li, figure").querySelector("img");
    overlay = document.createElement("div");
    overlay.className = "zoom-overlay";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    var img = document.createElement("img");
    img.src = link.getAttribute("href");
    img.alt = source ? source.alt : "";
    overlay.appendChild(img);
    overlay.addEventListener("click", close);
    document.body.appendChild(overlay);
    overlay.tabIndex = -1;
    overlay.focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
})();
