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


def test_the_board_cache_is_bounded(app, client, ctx, make_quiz):
    """Every board polled once kept its data for ever in a plain dict (no bound, no lock)."""
    app.extensions["caches"][board.DATA] = Cache(size=2, ttl=2.0)  # a smaller bound than create_app's
    codes = [make_quiz(questions=1).code for _ in range(3)]
    for code in codes:
        assert client.get(f"/board/{code}/data.json").status_code == 200
    assert len(app.extensions["caches"]["board"]) == 2
    assert cache_module.get_cache(board.DATA).size == 2


def test_the_factory_registers_every_cache_the_app_keeps(app):
    """Issue 13: eight hand-written tables in seven files, four eviction rules. Each cache is now
    registered by create_app, bounded, and all follow the one switch."""
    from quiz.services import live_session
    from quiz.views.play import page_cache

    caches = app.extensions["caches"]
    names = {page_cache.PAGES, board.DATA, live_session.DOCUMENTS, live_session.STANDINGS,
             live_session.VERSIONS, live_session.OPTIONS}
    assert names <= set(caches)
    assert all(caches[name].enabled and caches[name].size <= 4096 for name in names)
    assert caches[live_session.VERSIONS].ttl == 0.15 and caches[page_cache.PAGES].ttl == 10
    with app.app_context(), __import__("pytest").raises(KeyError):
        get_cache("never-registered")  # a name without a bound is a mistake, not a new table


def test_a_ttl_may_follow_the_config_while_the_app_runs():
    ticker, config = Ticker(), {"ttl": 5.0}
    cache = Cache(size=2, ttl=lambda: config["ttl"], clock=ticker)
    cache.set("k", 1)
    ticker.now = 4.0
    assert cache.get("k") == 1 and cache.is_active
    config["ttl"] = 3.0  # shortened: the kept entry is older than that now
    assert cache.get("k") is None
    config["ttl"] = 0
    assert not cache.is_active


def test_nothing_is_kept_for_none():
    cache = Cache(size=2)
    calls = []
    assert cache.get_or_set("missing", lambda: calls.append(1)) is None
    assert cache.get_or_set("missing", lambda: calls.append(1)) is None
    assert (len(cache), len(calls)) == (0, 2)


def test_a_kept_value_is_served_only_while_valid():
    cache = Cache(size=2)
    cache.set("doc", (3, "v3"))
    assert cache.get_or_set("doc", lambda: (4, "v4"), valid=lambda kept: kept[0] >= 3) == (3, "v3")
    assert cache.get_or_set("doc", lambda: (4, "v4"), valid=lambda kept: kept[0] >= 4) == (4, "v4")
    assert cache.get("doc") == (4, "v4")


def test_single_flight_builds_once_for_a_crowd():
    """A live state change: hundreds of phones want the new document at the same moment; one
    thread builds it, the others wait for it (the rule live_board and the fast path each wrote)."""
    cache = Cache(size=4)
    started, release, builds = threading.Event(), threading.Event(), []

    def build():
        builds.append(1)
        started.set()
        release.wait(5)
        return "document"
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_set("s", build, single_flight=True)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    started.wait(5)
    release.set()
    for thread in threads:
        thread.join()
    assert results == ["document"] * 8 and builds == [1]


def test_no_module_keeps_a_table_of_its_own_beside_the_cache_module():
    """Issue 13, done when: no hand-written cache outside quiz/cache.py (a dict in app.extensions,
    an OrderedDict with its own lock, an lru_cache on request data)."""
    from pathlib import Path

    import quiz

    root = Path(quiz.__file__).parent
    # Not caches: admission.py's lock guards a count of requests in flight (it keeps no values).
    not_caches = {"cache.py", "admission.py"}
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name in not_caches:
            continue
        text = path.read_text(encoding="utf-8")
        found += [(name, marker) for marker in ("extensions.setdefault(", "extensions.get(", "OrderedDict",
                                                "lru_cache", "threading.Lock(") if marker in text]
    assert found == []
