"""The result cache's bounds: one version at a time, LRU within a byte budget."""

from __future__ import annotations

from iqkg.query.result_cache import CachedAnswer, CacheKey, ResultCache


def key(name: str) -> CacheKey:
    return (name, "json", None, None, 10)


def test_other_version_misses_and_a_new_version_clears() -> None:
    cache = ResultCache(1000)
    cache.put("v1", key("a"), CachedAnswer((b"x",), False))
    assert cache.get("v1", key("a")) == CachedAnswer((b"x",), False)
    assert cache.get("v2", key("a")) is None
    cache.put("v2", key("b"), CachedAnswer((b"y",), False))
    assert len(cache) == 1
    assert cache.get("v1", key("a")) is None


def test_least_recently_used_goes_first_and_big_answers_are_not_kept() -> None:
    cache = ResultCache(10 + 3 * 201, max_entry_bytes=6 + 201)
    cache.put("v", key("a"), CachedAnswer((b"aaaa",), False))
    cache.put("v", key("b"), CachedAnswer((b"bbbb",), False))
    assert cache.get("v", key("a")) is not None  # a is now the most recent
    cache.put("v", key("c"), CachedAnswer((b"cccc",), False))
    assert cache.get("v", key("b")) is None
    assert cache.get("v", key("a")) is not None and cache.get("v", key("c")) is not None
    cache.put("v", key("d"), CachedAnswer((b"dddddddd",), False))
    assert cache.get("v", key("d")) is None


def test_disabled_cache_keeps_nothing() -> None:
    cache = ResultCache(0)
    cache.put("v", key("a"), CachedAnswer((b"a",), False))
    assert cache.get("v", key("a")) is None
