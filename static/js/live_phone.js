// A phone in a live session. Polls the shared state with If-None-Match (~600 ms; a 304 has no
// body), fetches its own part when the version changes, shows big option buttons, sends the
// answer once and retries it on a flaky network until the server's deadline. The countdown
// runs on the server's clock (X-Server-Time), never the phone's.
(function () {
  "use strict";
  var root = document.getElementById("live-phone");
  if (!root || !window.fetch) return;
  var A = function (k) { return root.getAttribute("data-" + k); };
  var T = function (k) { return A("t-" + k) || ""; };
  var stateUrl = A("state-url"), playerUrl = A("player-url");
  var answerBase = A("answer-url").replace(/\/0$/, "/");
  var body = root.querySelector("[data-body]");
  var POLL_MS = 600, GRACE_MS = 1000;
  var etag = null, doc = null, me = null, offset = 0, failures = 0, timer = null;
  var pending = null;   // {qid, option_ids, tries}: an answer not yet acknowledged
  var picked = {};      // question id → option ids chosen on this page (multiple-choice toggles)
  var countdownEl = null;

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }
  function clockText(ms) {
    // Total answer time, the tie-break: tenths of a second count, so show them ("12,3 s").
    if (ms < 60000) return (ms / 1000).toFixed(1).replace(".", ",") + " s";
    var s = Math.floor(ms / 1000), m = Math.floor(s / 60);
    s = s % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function now() { return Date.now() + offset; }
  function field(name, value) {
    var n = root.querySelector('[data-field="' + name + '"]');
    if (n) n.textContent = value;
    return n;
  }
  function net(ok) {
    var n = field("net", ok ? "" : T("reconnect"));
    if (n) n.hidden = ok;
  }
  function readClock(r) {
    var t = +r.headers.get("X-Server-Time");
    if (t) offset = t - Date.now();
  }
  function storeKey() { return "live-answer:" + playerUrl; }
  function savePending() {
    try {
      if (pending) localStorage.setItem(storeKey(), JSON.stringify(pending));
      else localStorage.removeItem(storeKey());
    } catch (e) { /* private mode: memory only */ }
  }

  function answeredIds() {
    if (pending && doc.question && pending.qid === doc.question.id) return pending.option_ids;
    if (me && me.answer && doc.question && me.answer.question_id === doc.question.id) return me.answer.option_ids;
    return null;
  }

  function optionButton(o, chosen, disabled) {
    var b = el("button", "lp-opt shape-" + o.shape + (chosen ? " is-chosen" : ""));
    b.type = "button";
    b.disabled = disabled;
    b.setAttribute("data-option", o.id);
    b.setAttribute("aria-pressed", chosen ? "true" : "false");
    b.appendChild(el("span", "lh-shape")).setAttribute("aria-hidden", "true");
    b.appendChild(el("span", "lp-letter", o.letter));
    if (o.image) {
      var img = el("img", "lp-opt-img");
      img.src = o.image.url;
      img.alt = o.image.alt;
      if (o.image.width) { img.width = o.image.width; img.height = o.image.height; }
      b.appendChild(img);
    }
    b.appendChild(el("span", "lp-opt-text", o.text));
    return b;
  }

  function render() {
    if (!doc) return;
    root.setAttribute("data-state", doc.state);
    countdownEl = null;
    var q = doc.question;
    field("progress", q && doc.state !== "ended" ? fill(T("question"), { n: q.number, total: doc.question_count }) : "");
    var parts = [], view = null;  // view: a name for what the body shows, when keeping it as it is matters
    if (doc.state === "lobby") {
      parts.push(el("p", "lp-big", T("lobby")), el("p", "lp-hint", T("lobby-hint")));
    } else if ((doc.state === "question" || doc.state === "paused") && q) {
      countdownEl = el("p", "lp-timer");
      countdownEl.setAttribute("role", "timer");  // not read out every second (the body around it is aria-live)
      parts.push(countdownEl);
      var mine = answeredIds();
      if (mine) {
        var done = el("div", "lp-done");
        done.appendChild(el("p", "lp-big lp-saved", (pending ? "… " + T("sending") : "✓ " + T("saved"))));
        var chosen = el("div", "lp-chosen");
        q.options.forEach(function (o) { if (mine.indexOf(o.id) >= 0) chosen.appendChild(optionButton(o, true, true)); });
        done.appendChild(chosen);
        done.appendChild(el("p", "lp-hint", T("wait")));
        parts.push(done);
      } else {
        var closed = doc.state === "paused" || now() > q.deadline_ms + GRACE_MS;
        var toggles = picked[q.id] || [];
        if (!closed) view = "open " + q.id + (q.kind === "multiple" ? " picked " + toggles.join(",") : "");
        if (view !== null && view === body.getAttribute("data-view")) {
          // The buttons on the page are the ones this would draw (the server's, or the last poll's):
          // keep them, so a finger already on one still answers with it.
          countdownEl = body.querySelector(".lp-timer");
          tick();
          return;
        }
        var grid = el("div", "lp-options" + (q.options.length > 4 ? " is-many" : ""));
        q.options.forEach(function (o) { grid.appendChild(optionButton(o, toggles.indexOf(o.id) >= 0, closed)); });
        parts.push(grid);
        if (q.kind === "multiple") {
          var send = el("button", "button button-primary button-block lp-send", T("send"));
          send.type = "button";
          send.setAttribute("data-send", "1");
          send.disabled = closed || !toggles.length;
          parts.push(send);
        }
        if (doc.state === "paused") parts.push(el("p", "lp-big lp-paused", T("paused")));
      }
    } else if (doc.state === "reveal" || doc.state === "ended") {
      // The verdict shows at once from what the phone knows (its answer, the revealed correct
      // options); points and rank follow from its own part, fetched a moment later.
      var fresh = me && me.result && me.version === doc.version;
      var r = fresh ? me.result : null, card = el("div", "lp-result");
      if (doc.state === "reveal" && q) {
        var mineNow = answeredIds(), right = q.correct_option_ids || [];
        var correct = !!mineNow && mineNow.length === right.length &&
          mineNow.every(function (id) { return right.indexOf(id) >= 0; });
        card.className += !mineNow ? " is-none" : correct ? " is-right" : " is-wrong";
        card.appendChild(el("p", "lp-big", !mineNow ? T("none") : correct ? T("right") : T("wrong")));
        if (r && r.is_correct && doc.scoring === "speed") card.appendChild(el("p", "lp-plus", fill(T("plus"), { points: fmt(r.points) })));
      } else {
        card.className += " is-final";
        card.appendChild(el("p", "lp-big", T("ended")));
      }
      if (r) {
        if (r.rank) card.appendChild(el("p", "lp-rank", fill(T("rank"), { rank: r.rank, total: r.players })));
        card.appendChild(el("p", "lp-summary", fill(T("summary"), { correct: r.correct, time: clockText(r.time_ms) })));
        card.appendChild(el("p", "lp-summary", fill(T("points"), { points: fmt(r.speed) })));
      }
      if (doc.state === "ended") {
        var link = el("a", "button button-block", T("results"));
        link.href = A("results-url");
        card.appendChild(link);
      }
      parts.push(card);
    }
    body.replaceChildren.apply(body, parts);
    if (view) body.setAttribute("data-view", view); else body.removeAttribute("data-view");
    tick();
  }

  function tick() {
    if (!countdownEl || !doc || !doc.question) return;
    var q = doc.question;
    var left = doc.state === "paused" ? (q.remaining_ms || 0) : Math.max(0, q.deadline_ms - now());
    countdownEl.textContent = left > 0 ? Math.ceil(left / 1000) : T("timeup");
    countdownEl.className = "lp-timer" + (left <= 5000 ? " is-low" : "");
    if (doc.state === "question" && left === 0 && now() > q.deadline_ms + GRACE_MS && !answeredIds()) {
      var buttons = body.querySelectorAll("button");
      if (buttons.length && !buttons[0].disabled) render();
    }
  }

  function loadMe() {
    return fetch(playerUrl, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); readClock(r); return r.json(); })
      .then(function (m) { me = m; });
  }

  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(stateUrl, { cache: "no-store", headers: headers }).then(function (r) {
      readClock(r);
      if (r.status === 304) return null;
      if (!r.ok) throw new Error(r.status);
      etag = r.headers.get("ETag");
      return r.json().then(function (d) {
        doc = d;
        // Its own part is needed only for a result (reveal, end) or on the first load: a question
        // change costs one request per phone, not two. After a reveal the phones ask for it spread
        // over a second, so 500 of them do not all hit the server in the same instant.
        if (!me) return loadMe();
        if (d.state === "reveal" || d.state === "ended") {
          var version = d.version;
          setTimeout(function () {
            if (doc.version === version) loadMe().then(render, function () { /* next change retries */ });
          }, Math.random() * 1000);
        }
      });
    }).then(function (changed) {
      failures = 0;
      net(true);
      if (changed !== null) render();
      schedule(POLL_MS);
    }, function () {
      failures += 1;
      net(false);
      schedule(Math.min(5000, POLL_MS * Math.pow(2, failures)));
    });
  }
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(poll, ms); }

  function flush() {
    if (!pending) return;
    var item = pending;
    fetch(answerBase + item.qid, {
      method: "PUT", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ option_ids: item.option_ids })
    }).then(function (r) {
      readClock(r);
      return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
    }).then(function (res) {
      if (pending !== item) return;
      pending = null;
      savePending();
      net(true);
      if (res.status === 200 || res.status === 409) {
        me = me || {};
        me.answer = { question_id: item.qid, option_ids: item.option_ids };
        if (res.status === 409) loadMe().then(render, render); else render();
      } else {
        field("net", (res.body.error && res.body.error.message) || T("late")).hidden = false;
        render();
      }
    }, function () {
      // Offline or the Wi-Fi dropped the request: try again while the question can still take it.
      net(false);
      item.tries = (item.tries || 0) + 1;
      if (doc && doc.question && doc.question.id === item.qid && now() < doc.question.deadline_ms + GRACE_MS + 3000) {
        setTimeout(flush, Math.min(1500, 250 * item.tries));
      } else if (pending === item) {
        pending = null;
        savePending();
        render();
      }
    });
  }

  function answer(ids) {
    if (!doc || !doc.question || pending) return;
    pending = { qid: doc.question.id, option_ids: ids, tries: 0 };
    savePending();
    render();
    flush();
  }

  body.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || button.disabled || !doc || !doc.question) return;
    event.preventDefault();
    var q = doc.question;
    if (button.hasAttribute("data-send")) { answer(picked[q.id] || []); return; }
    var id = +button.getAttribute("data-option");
    if (!id) return;
    if (q.kind === "multiple") {
      var list = picked[q.id] = picked[q.id] || [];
      var at = list.indexOf(id);
      if (at >= 0) list.splice(at, 1); else list.push(id);
      render();
    } else {
      answer([id]);
    }
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(0); });
  window.addEventListener("online", function () { schedule(0); flush(); });

  try { pending = JSON.parse(localStorage.getItem(storeKey())) || null; } catch (e) { pending = null; }
  setInterval(tick, 250);
  poll();
  if (pending) flush();
})();
