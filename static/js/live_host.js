// The host screen of a live session (projector, 16:9). Polls host.json (~700 ms), redraws the
// stage when the session's version changes, counts down on the server's clock, and posts the
// host's controls with fetch (CSRF token in X-CSRFToken). Keys: Space/Enter/→ = the main action,
// P = pause/resume.
(function () {
  "use strict";
  var root = document.getElementById("live-host");
  if (!root || !window.fetch) return;
  var stateUrl = root.getAttribute("data-state-url");
  var controlUrl = root.getAttribute("data-control-url");
  var csrf = root.getAttribute("data-csrf");
  var stage = root.querySelector("[data-stage]");
  var lobby = root.querySelector('[data-view="lobby"]');
  var T = function (k) { return root.getAttribute("data-t-" + k) || ""; };
  var doc = null, shownVersion = -1, offset = 0, failures = 0, busy = false, revealAsked = -1;
  var countdownEl = null, ringEl = null;
  var GRACE_MS = 1200;

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }
  function field(name, value) {
    var n = root.querySelector('[data-field="' + name + '"]');
    if (n && n.textContent !== String(value)) n.textContent = value;
    return n;
  }
  function clockText(ms) {
    // Total answer time, the tie-break: tenths of a second count, so show them ("12,3 s").
    if (ms < 60000) return (ms / 1000).toFixed(1).replace(".", ",") + " s";
    var s = Math.floor(ms / 1000), m = Math.floor(s / 60);
    s = s % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  // Numbers as the page's language writes them (1.000 and 0,5 in Vietnamese; 1,000 and 0.5 in English).
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "vi", { maximumFractionDigits: 2 });
  function fmt(n) { return typeof n === "number" ? numbers.format(n) : String(n); }
  function now() { return Date.now() + offset; }

  // An image of the state document ({url, alt, width, height}); the size reserves its box.
  function picture(image, cls) {
    var img = el("img", cls);
    img.src = image.url;
    img.alt = image.alt;
    if (image.width) { img.width = image.width; img.height = image.height; }
    return img;
  }

  function optionsList(q, reveal, distribution) {
    var list = el("ol", "lh-options" + (reveal ? " is-reveal" : ""));
    var total = 0, max = 1, correct = q.correct_option_ids || [];
    if (distribution) {
      q.options.forEach(function (o) { var c = distribution[o.id] || 0; total += c; if (c > max) max = c; });
    }
    q.options.forEach(function (o) {
      var li = el("li", "lh-opt shape-" + o.shape);
      if (reveal) li.className += correct.indexOf(o.id) >= 0 ? " is-correct" : " is-wrong";
      li.appendChild(el("span", "lh-shape")).setAttribute("aria-hidden", "true");
      li.appendChild(el("span", "lh-letter", o.letter));
      if (o.image) li.appendChild(picture(o.image, "lh-opt-img"));
      li.appendChild(el("span", "lh-opt-text", o.text));
      if (distribution) {
        var c = distribution[o.id] || 0;
        var bar = el("span", "lh-bar"), fill = el("span");
        fill.style.width = Math.round(c * 100 / max) + "%";
        bar.appendChild(fill);
        li.appendChild(bar);
        li.appendChild(el("span", "lh-count", c));
      }
      list.appendChild(li);
    });
    return list;
  }

  function table(title, head, rows, cls) {
    var box = el("section", "lh-table " + (cls || ""));
    box.appendChild(el("h2", null, title));
    if (!rows.length) { box.appendChild(el("p", "lh-empty", T("empty"))); return box; }
    var t = el("table"), tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", null, h)); });
    t.appendChild(el("thead")).appendChild(tr);
    var body = el("tbody");
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (c, i) {
        var td = el("td", i === 1 ? "lh-name" : null);
        if (c !== null && typeof c === "object") { td.textContent = c.text; td.appendChild(el("small", null, c.small)); }
        else td.textContent = c;
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    t.appendChild(body);
    box.appendChild(t);
    return box;
  }
  function topTable(d, n, from) {
    return table(T("top"), ["#", T("people"), T("col-correct"), T("col-time"), T("col-points")], (d.top || []).slice(from || 0, n).map(function (p) {
      return [p.rank, { text: p.full_name, small: p.unit_name }, p.correct, clockText(p.time_ms), fmt(p.speed)];
    }), "lh-top10");
  }
  function unitTable(d, n, from) {
    var label = d.unit_score === "sum" ? T("sum") : T("mean");
    return table(T("unit-standing"), ["#", T("units"), label, T("col-members")], (d.units || []).slice(from || 0, n).map(function (u) {
      return [u.rank, u.name, fmt(u.value), u.members];
    }), "lh-unit-table");
  }

  function podium(rows, kind) {
    var box = el("ol", "lh-podium lh-podium-" + kind);
    [1, 0, 2].forEach(function (i) {
      var r = rows[i];
      if (!r) return;
      var li = el("li", "lh-step lh-step-" + (i + 1));
      li.appendChild(el("span", "lh-step-name", kind === "people" ? r.full_name : r.name));
      li.appendChild(el("span", "lh-step-sub", kind === "people"
        ? r.unit_name + " · " + r.correct + " " + T("correct") + " · " + clockText(r.time_ms)
        : fmt(r.value) + " · " + r.members + " " + T("members")));
      li.appendChild(el("span", "lh-step-rank", i + 1));
      box.appendChild(li);
    });
    return box;
  }

  function draw(d) {
    root.setAttribute("data-state", d.state);
    lobby.hidden = d.state !== "lobby";
    Array.prototype.forEach.call(stage.querySelectorAll('[data-view="static"], .lh-dyn'), function (n) { n.remove(); });
    countdownEl = ringEl = null;
    field("progress", d.index >= 0 && d.state !== "ended"
      ? T("question").replace("%(n)s", d.index + 1).replace("%(total)s", d.question_count) : "");
    if (d.state === "lobby") return;
    var dyn = el("div", "lh-dyn lh-" + d.state);
    if (d.question && (d.state === "question" || d.state === "paused")) {
      var head = el("div", "lh-qhead");
      var ring = el("div", "lh-timer");
      countdownEl = el("span", "lh-seconds");
      ring.appendChild(countdownEl);
      ringEl = ring;
      head.appendChild(ring);
      head.appendChild(el("p", "lh-qtext", d.question.text));
      var counter = el("p", "lh-answered");
      counter.appendChild(el("strong", null, d.answered || 0));
      counter.appendChild(document.createTextNode(" / " + (d.joined || 0) + " " + T("answered")));
      counter.setAttribute("data-field", "answered");
      head.appendChild(counter);
      dyn.appendChild(head);
      if (d.question.image) dyn.appendChild(picture(d.question.image, "lh-qimg"));
      dyn.appendChild(optionsList(d.question, false));
      if (d.state === "paused") dyn.appendChild(el("p", "lh-pause-banner", T("paused")));
    } else if (d.state === "reveal") {
      var main = el("div", "lh-reveal-main");
      main.appendChild(el("p", "lh-qtext lh-qtext-small", d.question.text));
      main.appendChild(optionsList(d.question, true, d.distribution || {}));
      if (d.question.explanation) main.appendChild(el("p", "lh-explain", d.question.explanation));
      main.appendChild(unitTable(d, 5));
      dyn.appendChild(main);
      // The top 10 gets a column of its own: big enough to read from the back of the hall.
      var side = el("div", "lh-side");
      side.appendChild(topTable(d, 10));
      dyn.appendChild(side);
    } else if (d.state === "ended") {
      dyn.appendChild(el("h2", "lh-final", T("podium")));
      var pods = el("div", "lh-podiums");
      var people = el("section", "lh-pod-box");
      people.appendChild(el("h3", null, T("people")));
      people.appendChild(podium(d.top || [], "people"));
      pods.appendChild(people);
      var units = el("section", "lh-pod-box");
      units.appendChild(el("h3", null, T("units")));
      units.appendChild(podium(d.units || [], "units"));
      pods.appendChild(units);
      dyn.appendChild(pods);
      var tables = el("div", "lh-side lh-side-row");
      // The podiums show the first three: the tables go on from the 4th (if there is one), so all
      // of it fits the screen.
      if ((d.top || []).length > 3) tables.appendChild(topTable(d, 10, 3));
      if ((d.units || []).length > 3) tables.appendChild(unitTable(d, 10, 3));
      dyn.appendChild(tables);
    }
    stage.appendChild(dyn);
    tick();
  }

  function drawControls(d) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-states]"), function (f) {
      f.hidden = f.getAttribute("data-states").split(" ").indexOf(d.state) < 0;
    });
    var next = root.querySelector('[data-action="next"]');
    if (next) next.textContent = d.is_last ? T("last") : T("next");
  }

  function drawCounts(d) {
    field("joined", d.joined || 0);
    var a = root.querySelector('[data-field="answered"] strong');
    if (a) a.textContent = d.answered || 0;
    var list = root.querySelector('[data-list="joined-units"]');
    if (list && d.joined_units) {
      var items = d.joined_units.map(function (u) {
        var li = el("li");
        li.appendChild(el("span", null, u.name));
        li.appendChild(el("strong", null, u.count));
        return li;
      });
      list.replaceChildren.apply(list, items);
    }
  }

  function apply(d) {
    if (typeof d.server_time_ms === "number") offset = d.server_time_ms - Date.now();
    doc = d;
    if (d.version !== shownVersion) {
      shownVersion = d.version;
      draw(d);
      drawControls(d);
    }
    drawCounts(d);
  }

  function tick() {
    if (!doc || !countdownEl || !doc.question) return;
    var left = doc.state === "paused" ? (doc.question.remaining_ms || 0) : doc.question.deadline_ms - now();
    left = Math.max(0, left);
    countdownEl.textContent = left > 0 ? Math.ceil(left / 1000) : T("timeup");
    ringEl.className = "lh-timer" + (left <= 5000 ? " is-low" : "") + (left === 0 ? " is-up" : "");
    var auto = root.querySelector("[data-auto-reveal]");
    if (doc.state === "question" && auto && auto.checked && revealAsked !== doc.version &&
        now() > doc.question.deadline_ms + GRACE_MS) {
      revealAsked = doc.version;
      send("reveal");
    }
  }

  function poll() {
    fetch(stateUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) { failures = 0; field("net", "").hidden = true; apply(d); schedule(700); },
        function () {
          failures += 1;
          var n = field("net", T("reconnect"));
          if (n) n.hidden = false;
          schedule(Math.min(5000, 700 * Math.pow(2, failures)));
        });
  }
  var timer = null;
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(poll, ms); }

  function send(action) {
    if (busy) return;
    busy = true;
    field("message", "");
    fetch(controlUrl.replace("ACTION", action), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      busy = false;
      if (res.ok) apply(res.body);
      else field("message", (res.body.error && res.body.error.message) || "");
    }, function () {
      busy = false;
      field("message", T("reconnect"));
    });
  }

  root.addEventListener("submit", function (event) {
    var button = event.target.querySelector("[data-action]");
    if (!button) return;
    event.preventDefault();
    var action = button.getAttribute("data-action");
    // Ending finalises every phone's attempt: a misclick on the projector must not do that.
    if (action === "end" && !window.confirm(T("confirm-end"))) return;
    send(action);
  });
  document.addEventListener("keydown", function (event) {
    if (!doc || event.target.tagName === "INPUT" || event.target.tagName === "BUTTON") return;
    var main = { lobby: "start", question: "reveal", paused: "resume", reveal: "next" }[doc.state];
    if ((event.key === " " || event.key === "Enter" || event.key === "ArrowRight") && main) {
      event.preventDefault();
      send(main);
    } else if (event.key === "p" || event.key === "P") {
      if (doc.state === "question") send("pause");
      else if (doc.state === "paused") send("resume");
    }
  });

  setInterval(tick, 200);
  poll();
})();
