"""The one small cache for what the app keeps between requests (STYLE habit 15).

A `Cache` is bounded (the least recently used entry goes first; the bound counts entries, or
their weight — bytes, say — when it is given `weigh`), lets each entry expire after
`ttl` seconds (None: it stays until pushed out), and is thread-safe (one lock, held only to read
or write the table: values are computed outside it, so a slow computation never blocks readers
of other keys). `ttl` may be a function read at each use (a config value an operator or a test
changes while the app runs). A value that is None is never kept: "nothing there" is asked again.

`get_or_set(key, compute, valid=…, single_flight=True)` is the one "build it once" rule: a kept
value is served while `valid(value)` holds (a document of the current version, say); otherwise one
thread computes while the others wait for its result instead of all computing the same thing —
what hundreds of phones asking for the same new state at once need.

Each app has its own caches (`app.extensions["caches"]`): two apps in one process — two test
apps, a CLI command beside a server — never share an entry. `create_app` registers every cache
the app uses (`register`: name, bound, ttl, and one line of why), so the factory lists them all.

One switch: `CACHE_ENABLED` (config; on by default, and in tests unless a test turns it off).
Off, every cache misses and keeps nothing, so each read computes fresh.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

_MISSING = object()
Ttl = float | None | Callable[[], float | None]


class Cache:
    """At most `size` entries (or a total `weigh(value)` of `size`, no value over `largest`),
    each for at most `ttl` seconds (None: no expiry)."""

    def __init__(self, *, size: int, ttl: Ttl = None, enabled: bool = True,
                 weigh: Callable[[Any], int] | None = None, largest: int | None = None,
                 clock: Callable[[], float] = time.monotonic):
        if size < 1:
            raise ValueError("a cache holds at least one entry")
        self.size, self.enabled, self._ttl, self._clock = size, enabled, ttl, clock
        self._weigh, self._largest, self.weight = weigh or (lambda _value: 1), largest or size, 0
        # key → (stored at, the entry's own ttl or _MISSING for the cache's, weight, value)
        self._entries: OrderedDict[Hashable, tuple[float, Any, int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._compute_lock = threading.Lock()

    @property
    def ttl(self) -> float | None:
        return self._ttl() if callable(self._ttl) else self._ttl

    @property
    def is_active(self) -> bool:
        """Whether anything set is kept at all (switched on, and a ttl that is not 0)."""
        ttl = self.ttl
        return self.enabled and (ttl is None or ttl > 0)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value kept under `key`, or `default` when there is none (or it expired)."""
        if not self.enabled:
            return default
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            stored_at, own_ttl, _weight, value = entry
            ttl = self.ttl if own_ttl is _MISSING else own_ttl
            if ttl is not None and self._clock() - stored_at >= ttl:
                self._drop(key)
                return default
            self._entries.move_to_end(key)
            return value

    def set(self, key: Hashable, value: Any, *, ttl: float | None = _MISSING) -> None:  # type: ignore[assignment]
        """Keep `value` under `key` for `ttl` seconds (default: the cache's)."""
        if not self.enabled or value is None:
            return
        weight = self._weigh(value)
        if weight > self._largest:
            return  # it would push out everything else for one value
        with self._lock:
            self._drop(key)
            self._entries[key] = (self._clock(), ttl, weight, value)
            self.weight += weight
            while self.weight > self.size:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.weight -= entry[2]

    def get_or_set(self, key: Hashable, compute: Callable[[], Any], *,
                   valid: Callable[[Any], bool] | None = None, single_flight: bool = False) -> Any:
        """The kept value (if `valid(value)`, when given), or `compute()` kept and returned.

        Without `single_flight` two threads missing at once may both compute (the last one's
        value stays; both are correct). With it, one computes and the others wait, then take its
        value if it suits them (one lock per cache: for values everybody wants at the same moment).
        """
        def kept():
            value = self.get(key, _MISSING)
            return value if value is _MISSING or valid is None or valid(value) else _MISSING

        value = kept()
        if value is not _MISSING:
            return value
        if not single_flight:
            value = compute()
            self.set(key, value)
            return value
        with self._compute_lock:
            value = kept()
            if value is _MISSING:
                value = compute()
                self.set(key, value)
            return value

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.weight = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def init_app(app: Flask) -> None:
    app.config.setdefault("CACHE_ENABLED", True)
    app.extensions["caches"] = {}


def register(app: Flask, name: str, *, size: int, ttl: Ttl = None,
             weigh: Callable[[Any], int] | None = None, largest: int | None = None) -> Cache:
    """Create the app's cache `name` (called by create_app, once per cache); a `size` of 0
    switches this one cache off."""
    caches: dict[str, Cache] = app.extensions["caches"]
    if name in caches:
        raise ValueError(f"cache {name!r} is registered twice")
    caches[name] = Cache(size=max(size, 1), ttl=ttl, weigh=weigh, largest=largest,
                         enabled=bool(app.config["CACHE_ENABLED"]) and size > 0)
    return caches[name]


def get_cache(name: str, *, size: int | None = None, ttl: Ttl = None, app: Flask | None = None) -> Cache:
    """The app's cache `name` (the current app's unless `app` is given: code that runs before
    Flask, the live fast path, has no app context). A cache create_app did not register is
    created on first use with `size` and `ttl`."""
    app = app or current_app
    caches: dict[str, Cache] = app.extensions["caches"]
    cache = caches.get(name)
    if cache is None:
        if size is None:
            raise KeyError(f"cache {name!r} is not registered (see create_app)")
        cache = caches.setdefault(name, Cache(size=size, ttl=ttl, enabled=bool(app.config["CACHE_ENABLED"])))
    return cache
