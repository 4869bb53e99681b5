"""The one cache module (`quiz.cache`): bounded, expiring, thread-safe, one switch, per app; and
the caches moved onto it (the board's data, parsed snapshot payloads, live unit rankings)."""
from __future__ import annotations

import threading

from quiz import cache as cache_module
from quiz.cache import Cache, get_cache
from quiz.views import board


class Ticker:
    """A hand-moved monotonic clock."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_least_recently_used_entry_goes_first():
    cache = Cache(size=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.set("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_entries_expire_after_the_ttl():
    ticker = Ticker()
    cache = Cache(size=4, ttl=2.0, clock=ticker)
    cache.set("k", "v")
    cache.set("long", "w", ttl=None)
    ticker.now = 1.9
    assert cache.get("k") == "v"
    ticker.now = 2.0
    assert cache.get("k", "gone") == "gone" and cache.get("long") == "w" and len(cache) == 1


def test_switched_off_it_keeps_nothing():
    cache = Cache(size=4, enabled=False)
    cache.set("k", 1)
    calls = []
    assert cache.get_or_set("k", lambda: calls.append(1) or 2) == 2
    assert cache.get_or_set("k", lambda: calls.append(1) or 2) == 2
    assert (len(cache), len(calls)) == (0, 2)


def test_threads_hammering_one_cache_never_exceed_its_size():
    cache = Cache(size=8)
    errors = []

    def work(offset):
        try:
            for i in range(2000):
                cache.set((offset + i) % 50, i)
                cache.get((offset * 7 + i) % 50)
        except Exception as error:  # an OrderedDict changed during iteration, a KeyError…
            errors.append(error)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(cache) == 8


def test_each_app_has_its_own_caches_and_the_switch_is_config(app, make_app):
    with app.app_context():
        get_cache("t", size=2).set("k", 1)
        assert get_cache("t", size=2).get("k") == 1
    other = make_app({**app.config, "CACHE_ENABLED": False}, name="no-cache")
    with other.app_context():
        assert get_cache("t", size=2).get("k") is None
        get_cache("t", size=2).set("k", 2)
        assert get_cache("t", size=2).get("k") is None


def test_the_board_cache_is_bounded(app, client, ctx, make_quiz, monkeypatch):
    """Every board polled once kept its data for ever in a plain dict (no bound, no lock)."""
    monkeypatch.setattr(board, "CACHE_SIZE", 2)
    codes = [make_quiz(questions=1).code for _ in range(3)]
    for code in codes:
        assert client.get(f"/board/{code}/data.json").status_code == 200
    assert len(app.extensions["caches"]["board"]) == 2
    assert cache_module.get_cache("board", size=2).size == 2
