/* Thi Đua Số — the participant's offline copy. Served at /a/sw.js, so it controls only the attempt
   pages (/a/…). No framework, one cache:
   - an attempt page (/a/<token>) is fetched from the network first; its last good copy is kept,
     marked data-page-copy="offline", and shown when the network fails (a reload in a dead zone
     shows the quiz, not the browser's "No internet" page). play.js then restores the answers and
     the countdown it kept in localStorage, and the queue it never stopped keeping;
   - the files such a page loads (styles, scripts, images, fonts): network first, copy kept;
   - nothing else: no API call, no form post, no result page is ever answered from the cache.
   A finished attempt's copy is dropped as soon as the server redirects it to the result. */
"use strict";
var CACHE = "tds-offline-v1";
var KEEP_PAGES = 3;  // a phone may hold a few attempts (several quizzes), not a growing pile
var SCOPE = new URL(self.registration.scope);
var ASSET_KINDS = ["style", "script", "image", "font"];

function attemptPath(url) {
  // "/a/<token>" exactly (its result and submit pages have one more segment)
  var rest = url.pathname.slice(SCOPE.pathname.length);
  return url.origin === SCOPE.origin && url.pathname.indexOf(SCOPE.pathname) === 0 &&
    rest.length > 0 && rest.indexOf("/") < 0 && rest !== "sw.js" ? url.pathname : null;
}

function keepPage(path, response) {
  return response.text().then(function (html) {
    var copy = new Response(html.replace('data-page-copy="network"', 'data-page-copy="offline"'), {
      headers: { "Content-Type": "text/html; charset=utf-8" }
    });
    return caches.open(CACHE).then(function (cache) {
      return cache.put(path, copy).then(function () { return cache.keys(); }).then(function (keys) {
        var pages = keys.filter(function (r) { return attemptPath(new URL(r.url)); });
        return Promise.all(pages.slice(0, Math.max(0, pages.length - KEEP_PAGES))
          .map(function (r) { return cache.delete(r); }));
      });
    });
  });
}

function forget(path) {
  return caches.open(CACHE).then(function (cache) { return cache.delete(path); });
}

function fromCache(request, path) {
  return caches.open(CACHE).then(function (cache) { return cache.match(path || request); })
    .then(function (hit) { return hit || Response.error(); });
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (request.mode === "navigate") {
    var path = attemptPath(url);
    if (!path) {
      // the result page of an attempt: its quiz page is over, drop the copy
      var parent = url.pathname.replace(/\/result$/, "");
      if (parent !== url.pathname && attemptPath(new URL(parent, url))) event.waitUntil(forget(parent));
      return;
    }
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        event.waitUntil(keepPage(path, response.clone()));
      } else if (response.type === "opaqueredirect" || response.status === 404) {
        event.waitUntil(forget(path));  // finished (redirects to its result) or unknown
      }
      return response;
    }, function () { return fromCache(request, path); }));
    return;
  }
  if (url.origin !== self.location.origin || ASSET_KINDS.indexOf(request.destination) < 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
    }
    return response;
  }, function () { return fromCache(request); }));
});

/* The first visit's page came from the network before this worker existed: the page asks for
   its own copy, and hears back once it is stored. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = event.ports && event.ports[0];
  if (!data.keep) return;
  var url = new URL(data.keep, self.location.href);
  var path = attemptPath(url);
  var assets = (data.assets || []).map(function (a) { return new URL(a, self.location.href); })
    .filter(function (a) { return a.origin === self.location.origin; });
  if (!path) { if (reply) reply.postMessage({ ok: false }); return; }
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all([
      cache.match(path).then(function (hit) {
        return hit || fetch(path, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
          return response.ok && !response.redirected ? keepPage(path, response) : null;
        });
      }),
      Promise.all(assets.map(function (a) {
        return cache.match(a.href).then(function (hit) { return hit || cache.add(a.href); });
      }))
    ]);
  }).then(function () { if (reply) reply.postMessage({ ok: true }); },
          function () { if (reply) reply.postMessage({ ok: false }); }));
});
