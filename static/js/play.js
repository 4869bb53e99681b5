/* Thi Đua Số — participant pages. Progressive enhancement only: without this file the join form
   posts, each question is a form post and the submit page confirms. With it: instant saving
   through the JSON API, an offline queue in localStorage (keyed by attempt token), the server's
   countdown re-synced periodically, client-side navigation and an in-page submit confirmation.
   Offline reload: static/js/sw.js keeps a copy of the attempt page; this file keeps what the copy
   cannot know (the answers the server acknowledged since, the server's deadline) in localStorage. */
(function () {
  "use strict";
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hms(sec) {
    sec = Math.max(0, sec);
    var h = Math.floor(sec / 3600), m = Math.floor(sec % 3600 / 60), s = sec % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  }
  // Diacritic-insensitive matching: "y te tam duong" finds "Y tế Tam Đường".
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  /* ---------- Join page ---------- */
  function joinPage() {
    var countdown = $("[data-countdown]");
    if (countdown) {
      var opensAt = Date.now() + (+countdown.getAttribute("data-countdown")) * 1000;
      var dayWord = countdown.getAttribute("data-day") || "d";
      var tickOpen = function () {
        var left = Math.ceil((opensAt - Date.now()) / 1000);
        if (left <= 0) { location.reload(); return; }
        var days = Math.floor(left / 86400);
        countdown.textContent = (days ? days + " " + dayWord + " " : "") + hms(left % 86400);
        setTimeout(tickOpen, 1000);
      };
      tickOpen();
    }
    var select = $("#unit_code"), box = $(".unit-search");
    if (select && box) {
      box.hidden = false;
      var input = $("#unit-search"), list = $("#unit-matches");
      var options = $$("option", select).filter(function (o) { return o.value; });
      var folded = options.map(function (o) { return fold(o.textContent); });
      // The select indents the tree with no-break spaces; the chosen unit is spelled out plainly
      // below it, with the units above it, so "Khối Nội" cannot be mistaken for "Khối Ngoại".
      var depthOf = function (o) { return (o.textContent.match(/^\u00a0*/)[0].length / 3) | 0; };
      var pathOf = function (option) {
        var names = [option.textContent.trim()], depth = depthOf(option), i = options.indexOf(option);
        for (; i >= 0 && depth > 0; i--) {
          if (depthOf(options[i]) < depth) { depth = depthOf(options[i]); names.unshift(options[i].textContent.trim()); }
        }
        return names;
      };
      var chosenLine = $("#unit-chosen");
      var showChosen = function () {
        var option = select.options[select.selectedIndex];
        if (!chosenLine) return;
        chosenLine.hidden = !option || !option.value || options.indexOf(option) < 0;
        if (chosenLine.hidden) return;
        var names = pathOf(option);
        chosenLine.textContent = "";
        chosenLine.appendChild(document.createTextNode(chosenLine.getAttribute("data-label") + " "));
        var strong = document.createElement("strong");
        strong.textContent = names[names.length - 1];
        chosenLine.appendChild(strong);
        if (names.length > 1) {
          var above = document.createElement("span");
          above.className = "unit-above";
          above.textContent = names.slice(0, -1).join(" › ");
          chosenLine.appendChild(above);
        }
      };
      select.addEventListener("change", showChosen);
      showChosen();
      input.addEventListener("input", function () {
        var words = fold(input.value).split(/\s+/).filter(Boolean);
        list.innerHTML = "";
        if (!words.length) return;
        var shown = 0;
        options.forEach(function (option, i) {
          if (shown >= 8 || !words.every(function (w) { return folded[i].indexOf(w) >= 0; })) return;
          shown++;
          var item = document.createElement("li"), button = document.createElement("button");
          button.type = "button";
          button.className = "unit-match";
          var names = pathOf(option);
          button.textContent = names[names.length - 1];
          if (names.length > 1) {
            var above = document.createElement("span");
            above.className = "unit-above";
            above.textContent = names.slice(0, -1).join(" › ");
            button.appendChild(above);
          }
          button.addEventListener("click", function () {
            select.value = option.value;
            select.dispatchEvent(new Event("change"));
            list.innerHTML = "";
            input.value = names[names.length - 1];
            if (chosenLine) chosenLine.scrollIntoView({ block: "nearest" });
          });
          item.appendChild(button);
          list.appendChild(item);
        });
        if (!shown) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = input.getAttribute("data-none") || "—";
          list.appendChild(none);
        }
      });
      var other = $("#other-unit");
      if (other) {
        var syncOther = function () { other.hidden = select.value !== "__other__"; };
        select.addEventListener("change", syncOther);
        syncOther();
      }
    }
  }

  /* ---------- Attempt page ---------- */
  function attemptPage(root) {
    var T = JSON.parse($("#play-text").textContent);
    var stateUrl = root.getAttribute("data-api"), resultUrl = root.getAttribute("data-result");
    var key = "tds:q:" + root.getAttribute("data-token"), seenKey = "tds:s:" + root.getAttribute("data-token");
    var replay = root.getAttribute("data-page-copy") === "offline";
    var forms = $$("form.q", root), cells = $$(".q-grid a.cell", root);
    var net = $("#net-status"), clockEl = $("#clock"), countEl = $("#answered-count");
    var panel = $("#confirm-panel"), submitLink = $("#submit-link"), submitForm = $("#submit-form");
    var queue = load(), sending = false, offline = !navigator.onLine, over = false, retryTimer = null;
    var current = Math.max(0, forms.findIndex(function (f) { return !f.hidden; }));
    // What the server last said: its deadline (as this phone's time) and the answers it acknowledged.
    var seen = replay ? loadSeen() : null;

    function load() { try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; } }
    function loadSeen() { try { return JSON.parse(localStorage.getItem(seenKey)); } catch (e) { return null; } }
    function storeSeen() {
      try { localStorage.setItem(seenKey, JSON.stringify(seen)); } catch (e) { /* memory only */ }
    }
    function store() {
      try {
        if (Object.keys(queue).length) localStorage.setItem(key, JSON.stringify(queue));
        else localStorage.removeItem(key);
      } catch (e) { /* private mode: the queue lives in memory only */ }
    }
    function formOf(qid) { return $('form.q[data-qid="' + qid + '"]', root); }
    function chosen(form) {
      return $$("input[name=option]", form).filter(function (i) { return i.checked; })
        .map(function (i) { return +i.value; });
    }
    function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
    function setStatus(form, state, text) {
      var status = $(".q-status", form);
      status.setAttribute("data-state", state);
      status.textContent = text;
      var cell = cells[+form.getAttribute("data-number") - 1];
      cell.classList.toggle("is-answered", chosen(form).length > 0);
      cell.classList.toggle("is-pending", state === "queued" || state === "saving");
      countEl.textContent = forms.filter(function (f) { return chosen(f).length; }).length;
    }
    function showNet(text, kind) {
      net.textContent = text;
      net.className = "net-status net-" + kind;
      net.hidden = !text;
    }
    function refreshNet() {
      var pending = Object.keys(queue).length;
      if (offline) showNet(T.offline, "offline");
      else if (pending) showNet(T.sending, "sending");
      else if (!over) showNet("", "");
      $$("form.q").forEach(function (f) {
        if (queue[f.getAttribute("data-qid")] && offline) setStatus(f, "queued", T.queued);
      });
    }
    // Again after the server's Retry-After (a 503 when busy) or 4 s, stretched at random up to
    // twice that: phones that failed together must not all come back in the same second.
    function retryLater(seconds) {
      var wait = (seconds > 0 ? seconds : 4) * (1 + Math.random()) * 1000;
      if (!retryTimer) retryTimer = setTimeout(function () { retryTimer = null; flush(); }, wait);
    }

    function flush() {
      var qid = Object.keys(queue)[0];
      if (sending || !qid) { refreshNet(); return; }
      var ids = queue[qid];
      sending = true;
      fetch(stateUrl + "/answers/" + qid, {
        method: "PUT", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ option_ids: ids })
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          return { status: r.status, body: body, after: +(r.headers.get("Retry-After") || 0) };
        });
      }).then(function (res) {
        sending = false;
        offline = false;
        if (res.status >= 500 || res.status === 429 || res.status === 408) { refreshNet(); retryLater(res.after); return; }
        if (same(queue[qid], ids)) delete queue[qid];
        store();
        if (res.status === 200) { seen.answers[qid] = res.body.saved ? ids : []; storeSeen(); }
        var form = formOf(qid);
        if (res.status === 200) {
          if (form && !queue[qid]) setStatus(form, res.body.saved ? "saved" : "empty", res.body.saved ? T.saved : "");
        } else if (res.status === 409 || res.status === 410) {
          over = true;
          showNet(res.body.error ? res.body.error.message : T.time_up, "error");
          setTimeout(function () { location.href = resultUrl; }, 3000);
          return;
        } else if (form) {
          setStatus(form, "error", T.error + (res.body.error ? ": " + res.body.error.message : ""));
        }
        flush();
      }, function () {
        sending = false;
        offline = true;
        refreshNet();
        retryLater();
      });
    }

    function show(i) {
      i = Math.min(Math.max(i, 0), forms.length - 1);
      forms[current].hidden = true;
      cells[current].removeAttribute("aria-current");
      forms[i].hidden = false;
      cells[i].setAttribute("aria-current", "step");
      current = i;
      try { history.replaceState(null, "", "?q=" + (i + 1)); } catch (e) { /* file:// or old browser */ }
      window.scrollTo(0, 0);
      $(".q-text", forms[i]).focus({ preventScroll: true });
    }

    function openConfirm() {
      var missing = forms.filter(function (f) { return !chosen(f).length; })
        .map(function (f) { return f.getAttribute("data-number"); });
      $("#confirm-text").textContent = missing.length ? T.unanswered.replace("{list}", missing.join(", ")) : T.all_answered;
      panel.hidden = false;
      submitLink.hidden = true;
      panel.scrollIntoView({ block: "center" });
    }
    function closeConfirm() { panel.hidden = true; submitLink.hidden = false; }

    // Submit only once every queued answer reached the server; offline, wait and say why.
    function submitWhenSent(tries) {
      if (!Object.keys(queue).length && navigator.onLine) { submitForm.submit(); return; }
      if (offline && !over) showNet(T.wait_network, "offline");
      flush();
      setTimeout(function () { submitWhenSent(tries + 1); }, tries < 20 ? 500 : 3000);
    }

    forms.forEach(function (form, i) {
      form.addEventListener("change", function () {
        queue[form.getAttribute("data-qid")] = chosen(form);
        store();
        setStatus(form, offline ? "queued" : "saving", offline ? T.queued : T.saving);
        flush();
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var move = event.submitter ? event.submitter.value : "next";
        if (move === "prev") show(i - 1);
        else if (i === forms.length - 1) openConfirm();
        else show(i + 1);
      });
    });
    cells.forEach(function (cell, i) {
      cell.addEventListener("click", function (event) { event.preventDefault(); closeConfirm(); show(i); });
    });
    submitLink.addEventListener("click", function (event) { event.preventDefault(); openConfirm(); });
    $("#confirm-cancel").addEventListener("click", closeConfirm);
    submitForm.addEventListener("submit", function (event) {
      if (Object.keys(queue).length) { event.preventDefault(); submitWhenSent(0); }
    });

    function check(form, ids) {
      $$("input[name=option]", form).forEach(function (input) { input.checked = ids.indexOf(+input.value) >= 0; });
    }
    // An offline copy of the page: the answers acknowledged after it was taken, at the question the URL names.
    if (replay && seen) {
      Object.keys(seen.answers).forEach(function (qid) {
        var form = formOf(qid);
        if (!form) return;
        check(form, seen.answers[qid]);
        setStatus(form, seen.answers[qid].length ? "saved" : "empty", seen.answers[qid].length ? T.saved : "");
      });
    }
    if (!seen) {
      seen = { endsAt: Date.now() + (+clockEl.getAttribute("data-remaining")) * 1000, answers: {} };
      forms.forEach(function (f) { seen.answers[f.getAttribute("data-qid")] = chosen(f); });
    }
    storeSeen();
    var asked = +(new URLSearchParams(location.search).get("q") || 0);
    if (replay && asked >= 1 && asked <= forms.length && asked - 1 !== current) show(asked - 1);

    // Answers queued during an earlier visit (a reload while offline) win over the page's state.
    Object.keys(queue).forEach(function (qid) {
      var form = formOf(qid);
      if (!form) { delete queue[qid]; return; }
      check(form, queue[qid]);
      setStatus(form, "queued", T.queued);
    });
    store();

    // The countdown runs from the server's remaining seconds and re-syncs with it (an offline copy
    // of the page runs on the deadline last heard from the server).
    var endsAt = seen.endsAt;
    function tick() {
      var left = Math.ceil((endsAt - Date.now()) / 1000);
      clockEl.textContent = hms(left);
      clockEl.classList.toggle("is-urgent", left <= 60);
      if (left <= 0 && !over) {
        over = true;
        showNet(T.time_up, "warn");
        submitWhenSent(0);
      }
    }
    function sync() {
      fetch(stateUrl, { cache: "no-store", credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          offline = false;
          if (!body) return;
          if (body.state === "finished") {
            try { localStorage.removeItem(seenKey); } catch (e) { /* nothing kept */ }
            location.href = resultUrl;
            return;
          }
          endsAt = Date.now() + body.remaining_s * 1000;
          seen = { endsAt: endsAt, answers: body.answers };
          storeSeen();
          tick();
          flush();
        }, function () { offline = true; refreshNet(); });
    }
    window.addEventListener("online", function () { offline = false; flush(); sync(); });
    window.addEventListener("offline", function () { offline = true; refreshNet(); });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) sync(); });
    setInterval(tick, 1000);
    setInterval(sync, 30000);
    tick();
    flush();
    keepOfflineCopy(root);
  }

  /* Ask the worker (static/js/sw.js) to keep this page and its files for an offline reload; the
     page says data-offline="ready" once they are stored. Needs HTTPS (or localhost). */
  function keepOfflineCopy(root) {
    if (!("serviceWorker" in navigator) || !window.MessageChannel) return;
    var assets = $$("link[rel=stylesheet], link[rel=icon], script[src], img[src]").map(function (el) {
      return el.href || el.src;
    });
    navigator.serviceWorker.register(root.getAttribute("data-sw")).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        if (event.data && event.data.ok) root.setAttribute("data-offline", "ready");
      };
      registration.active.postMessage({ keep: location.pathname, assets: assets }, [channel.port2]);
    }).catch(function () { /* no worker (plain HTTP, private mode): the localStorage queue still holds */ });
  }

  /* ---------- "Đang đông" page (a 503 from admission control or a busy database) ----------
     Nothing was done for the refused request, so it is sent again as it was: the same form (the
     registration typed, or the submit) or the same address. The wait is the server's Retry-After
     stretched at random up to twice as long, so a crowd refused together does not return together;
     a tap on "Thử lại ngay" sends it at once, and only once. */
  function busyPage(box) {
    var seconds = Math.max(1, +box.getAttribute("data-seconds") || 3);
    var endsAt = Date.now() + seconds * (1 + Math.random()) * 1000;
    var out = $("#busy-seconds"), form = $("#busy-retry"), sent = false, timer = null;
    function retry() {
      if (sent) return;
      sent = true;
      clearTimeout(timer);
      $("#busy-retrying").hidden = false;
      if (form) form.submit(); else location.reload();
    }
    function tick() {
      var left = Math.ceil((endsAt - Date.now()) / 1000);
      if (left <= 0) { retry(); return; }
      if (out) out.textContent = left;
      timer = setTimeout(tick, 250);
    }
    if (form) form.addEventListener("submit", function (event) { event.preventDefault(); retry(); });
    tick();
  }

  var root = document.getElementById("play"), busy = document.getElementById("busy");
  if (busy) busyPage(busy); else if (root) attemptPage(root); else joinPage();
})();
