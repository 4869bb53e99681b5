/* The live monitor: fetch monitor.json every few seconds and redraw the figures in place.
   The page already shows the data at load, so without JS it is simply a static snapshot. */
(function () {
  "use strict";
  var root = document.querySelector("[data-monitor]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-url");
  var every = (parseInt(root.getAttribute("data-refresh"), 10) || 5) * 1000;
  var live = root.querySelector("[data-live]");
  var STATES = JSON.parse(root.getAttribute("data-state-labels") || "{}");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function drawUnits(units) {
    var list = root.querySelector("[data-units]");
    if (!units.length) { return; }
    list.textContent = "";
    units.forEach(function (unit) {
      var item = el("li", "unit-bar depth-" + Math.min(unit.depth, 3));
      var label = el("div", "unit-bar-label");
      label.appendChild(el("span", "", unit.name));
      var figure = String(unit.participants);
      if (unit.headcount) { figure += " / " + unit.headcount + " · " + Math.round(unit.percent) + " %"; }
      label.appendChild(el("span", "num", figure));
      var bar = el("div", "bar");
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", Math.round(unit.percent || 0) + " %");
      var fill = el("span");
      fill.style.width = (unit.percent || 0) + "%";
      bar.appendChild(fill);
      item.appendChild(label);
      item.appendChild(bar);
      list.appendChild(item);
    });
  }

  function drawLatest(rows) {
    var body = root.querySelector("[data-latest]");
    if (!rows.length) { return; }
    body.textContent = "";
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("td", "", row.full_name));
      tr.appendChild(el("td", "", row.unit));
      tr.appendChild(el("td", "num", (row.score === null ? "" : row.score) + "/" + row.max_score));
      tr.appendChild(el("td", "num", row.duration));
      tr.appendChild(el("td", "", row.submitted_at));
      body.appendChild(tr);
    });
  }

  function draw(data) {
    Object.keys(data.counts).forEach(function (key) {
      var node = root.querySelector('[data-count="' + key + '"]');
      if (node) { node.textContent = data.counts[key]; }
    });
    root.querySelector('[data-field="generated_at"]').textContent = data.generated_at;
    var badge = root.querySelector('[data-field="state-badge"] .badge');
    if (badge && STATES[data.state]) {
      badge.className = "badge badge-" + data.state;
      badge.textContent = STATES[data.state];
    }
    var other = root.querySelector("[data-other]");
    other.hidden = !data.other_unit_participants;
    root.querySelector('[data-field="other_unit_participants"]').textContent = data.other_unit_participants;
    drawUnits(data.units);
    drawLatest(data.latest);
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { draw(data); live.hidden = false; })
      .catch(function () { live.hidden = true; })  // keep the last figures; try again next tick
      .then(function () { window.setTimeout(refresh, every); });
  }
  window.setTimeout(refresh, every);
}());
