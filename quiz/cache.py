"""The one small cache for what the app keeps between requests (STYLE habit 15).

A `Cache` is bounded (the least recently used entry goes first), lets each entry expire after
`ttl` seconds (None: it stays until pushed out), and is thread-safe (one lock, held only to read
or write the table: values are computed outside it, so a slow computation never blocks readers
of other keys). Each app has its own caches, created on first use by `get_cache(name, …)` and
kept in `app.extensions["caches"]` (`init_app`, called by `create_app`): two apps in one
process — two test apps, a CLI command beside a server — never share an entry.

One switch: `CACHE_ENABLED` (config; on by default, and in tests unless a test turns it off).
Off, every cache misses and keeps nothing, so each read computes fresh.

What is kept, and why it stays correct, is written where it is used: `rankings.published`
(parsed snapshot payloads: a snapshot never changes), `views/board.py` (the board's data for two seconds).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

_MISSING = object()


class Cache:
    """At most `size` entries, each for at most `ttl` seconds (None: no expiry)."""

    def __init__(self, *, size: int, ttl: float | None = None, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic):
        if size < 1:
            raise ValueError("a cache holds at least one entry")
        self.size, self.ttl, self.enabled, self._clock = size, ttl, enabled, clock
        self._entries: OrderedDict[Hashable, tuple[float | None, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value kept under `key`, or `default` when there is none (or it expired)."""
        if not self.enabled:
            return default
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            expires, value = entry
            if expires is not None and expires <= self._clock():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def set(self, key: Hashable, value: Any, *, ttl: float | None = _MISSING) -> None:  # type: ignore[assignment]
        """Keep `value` under `key` for `ttl` seconds (default: the cache's)."""
        if not self.enabled:
            return
        seconds = self.ttl if ttl is _MISSING else ttl
        expires = None if seconds is None else self._clock() + seconds
        with self._lock:
            self._entries[key] = (expires, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_set(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The kept value, or `compute()` kept and returned (two threads missing at once may both
        compute: the last one's value stays; both are correct)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.set(key, value)
        return value

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def init_app(app: Flask) -> None:
    app.config.setdefault("CACHE_ENABLED", True)
    app.extensions["caches"] = {}


def get_cache(name: str, *, size: int, ttl: float | None = None) -> Cache:
    """The current app's cache `name`, created with `size` and `ttl` on first use."""
    caches: dict[str, Cache] = current_app.extensions["caches"]
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, Cache(size=size, ttl=ttl, enabled=bool(current_app.config["CACHE_ENABLED"])))
    return cache
