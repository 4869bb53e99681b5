/* The question editor's linter as you type: after a pause in typing, the form (without its image
   files) is posted to the lint endpoint with its CSRF token, and the warnings replace the list under
   the form. Without JavaScript the same list is rendered by the server on load and after a save.
   The server's messages are inserted as text, never as HTML. */
(function () {
  var form = document.querySelector("form[data-lint-url]");
  var results = document.getElementById("lint-results");
  if (!form || !results || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-lint-url");
  var messages = results.dataset;
  var timer = null, sent = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function show(data) {
    results.textContent = "";
    if (!data.count) {
      results.appendChild(el("p", data.empty ? "muted lint-empty" : "lint-ok", data.empty ? messages.empty : messages.ok));
      return;
    }
    var head = el("p", "lint-count");
    head.appendChild(el("strong", "", messages.count.replace("{n}", data.count)));
    results.appendChild(head);
    var list = el("ul", "lint-list");
    data.warnings.forEach(function (w) {
      var item = el("li", "lint-item");
      item.setAttribute("data-code", w.code);
      item.appendChild(el("span", "badge badge-warn", w.label));
      item.appendChild(document.createTextNode(" " + w.message));
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  function check() {
    var body = new FormData(form);
    // Only words matter to the linter: never upload the chosen pictures on every keystroke.
    Array.prototype.slice.call(form.querySelectorAll("input[type=file]")).forEach(function (input) {
      body.delete(input.name);
    });
    var mine = ++sent;
    results.setAttribute("aria-busy", "true");
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "Accept": "application/json", "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { if (mine === sent) { show(data); } })
      .catch(function () {
        if (mine !== sent) { return; }
        results.textContent = "";
        results.appendChild(el("p", "muted", messages.failed));
      })
      .then(function () { if (mine === sent) { results.removeAttribute("aria-busy"); } });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 600);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}());
