/* The "Chia sẻ" button: the phone's share sheet (Web Share API) when there is one, else the
   link goes to the clipboard (or is shown, selected, when even that is refused). */
(function () {
  "use strict";
  document.querySelectorAll("[data-share]").forEach(function (button) {
    var status = button.parentNode.querySelector(".share-status");
    var url = button.getAttribute("data-url"), title = button.getAttribute("data-title");
    function said(text) { if (status) status.textContent = text; }
    button.addEventListener("click", function () {
      if (navigator.share) {
        navigator.share({ title: title, url: url }).catch(function () { /* closed by the user */ });
        return;
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(function () { said(button.getAttribute("data-copied")); },
                                                function () { said(url); });
      } else {
        said(url);
      }
    });
  });
}());
