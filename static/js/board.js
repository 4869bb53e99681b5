// The big-screen board polls its small JSON and updates the lists in place (no reload, no
// flicker): new nodes are built off-screen and swapped in with one replaceChildren call.
(function () {
  "use strict";
  var root = document.querySelector("[data-board]");
  if (!root || !window.fetch) return;
  var url = root.getAttribute("data-url");
  var every = Math.max(2000, parseInt(root.getAttribute("data-refresh"), 10) || 4000);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function duration(ms) {
    var s = Math.round(ms / 1000), m = Math.floor(s / 60);
    s = s % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function pct(rate) { return Math.round((rate || 0) * 1000) / 10; }
  // Percentages as the page's language writes them (3,2% in Vietnamese), like the server's filter.
  var lang = document.documentElement.lang || "vi";
  function percent(value, digits) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value) + "%";
  }
  function setField(name, value) {
    var node = root.querySelector('[data-field="' + name + '"]');
    if (node && node.textContent !== String(value)) node.textContent = value;
  }
  function unitItem(u, old) {
    var li = el("li", "board-unit" + (u.is_flagged ? " is-flagged" : ""));
    li.appendChild(el("span", "b-rank", u.rank || "—"));
    li.appendChild(el("span", "b-name", u.name));
    var bar = el("span", "b-bar"), fill = el("span");
    // Start from the width this unit had so the CSS transition slides instead of jumping.
    fill.style.width = (old !== undefined ? old : pct(u.participation_rate)) + "%";
    bar.appendChild(fill);
    li.appendChild(bar);
    li.appendChild(el("span", "b-value", (u.is_flagged ? "—" : percent(pct(u.participation_rate), 0)) + " · " + u.participants));
    li._fill = fill;
    li._target = pct(u.participation_rate);
    li.setAttribute("data-code", u.code);
    return li;
  }
  function render(data) {
    // published since the page was drawn (or withdrawn): draw the page again
    if (String(data.is_published) !== root.getAttribute("data-published")) { location.reload(); return; }
    if (data.counters) {
      setField("participants", data.counters.participants);
      setField("finished", data.counters.finished);
      setField("finished_pct", data.counters.finished_pct === null ? "—" : percent(data.counters.finished_pct, 1));
    }
    var units = root.querySelector('[data-list="units"]');
    var previous = {};
    Array.prototype.forEach.call(units.children, function (li) {
      var fill = li.querySelector(".b-bar span");
      if (fill) previous[li.getAttribute("data-code") || li.querySelector(".b-name").textContent] = parseFloat(fill.style.width);
    });
    var items = (data.units || []).slice(0, 10).map(function (u) { return unitItem(u, previous[u.code]); });
    units.replaceChildren.apply(units, items);
    requestAnimationFrame(function () {
      items.forEach(function (li) { li._fill.style.width = li._target + "%"; });
    });
    var top = root.querySelector('[data-list="top"]');
    top.replaceChildren.apply(top, (data.top || []).map(function (p) {
      var li = el("li");
      li.appendChild(el("span", "b-rank", p.rank));
      var name = el("span", "b-name", p.full_name);
      name.appendChild(el("small", null, p.unit_name));
      li.appendChild(name);
      li.appendChild(el("span", "b-value", p.score + "/" + p.max_score + " · " + duration(p.duration_ms)));
      return li;
    }));
    var latest = root.querySelector('[data-list="latest"]');
    latest.replaceChildren.apply(latest, (data.latest || []).map(function (p) {
      var li = el("li");
      li.appendChild(el("strong", null, p.name));
      li.appendChild(document.createTextNode(" · " + p.unit_name + " · " + p.score + "/" + p.max_score));
      return li;
    }));
  }
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () { /* the hall's Wi-Fi dropped: keep the last figures, try again */ })
      .then(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();
