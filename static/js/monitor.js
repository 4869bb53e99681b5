/* The live monitor: fetch monitor.json every few seconds and redraw the figures in place.
   The page already shows the data at load, so without JS it is simply a static snapshot. */
(function () {
  "use strict";
  var root = document.querySelector("[data-monitor]");
  if (!root || !window.fetch) { return; }
  // the JSON follows the order the page was asked for (?sort=…)
  var url = root.getAttribute("data-url") + location.search;
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
    var body = root.querySelector("[data-units]");
    if (!units.length) { return; }
    body.textContent = "";
    units.forEach(function (unit) {
      var depth = Math.min(unit.depth, 4);
      var row = el("tr", "depth-" + depth + (unit.is_group ? " is-group" : ""));
      var name = el("td", "unit-name", unit.name);
      name.style.setProperty("--depth", depth);
      row.appendChild(name);
      row.appendChild(el("td", "num unit-figure", unit.participants + (unit.headcount ? " / " + unit.headcount : "")));
      var rate = el("td", "unit-rate"), line = el("span", "rate-line"), bar = el("span", "bar"), fill = el("span");
      fill.style.width = (unit.percent || 0) + "%";
      bar.appendChild(fill);
      line.appendChild(bar);
      line.appendChild(el("span", "num", unit.rate || "—"));
      rate.appendChild(line);
      row.appendChild(rate);
      body.appendChild(row);
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
