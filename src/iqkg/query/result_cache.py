"""Answers of the dataset version being served, reused for identical requests.

Between two writes the dataset is immutable, so the same query in the same format over the
same graphs has the same answer (unless it calls RAND/NOW/UUID/STRUUID/BNODE or SERVICE:
:attr:`~iqkg.query.policy.QueryShape.volatile`). Reusing it skips the worker round trip,
which is most of the cost of a cheap query. The cache holds one dataset version at a time
(a write empties it), is bounded in bytes and evicts the least recently used answer.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedAnswer:
    chunks: tuple[bytes, ...]
    truncated: bool

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.chunks)


def _cost(key: CacheKey, answer: CachedAnswer) -> int:
    """Bytes an entry holds: the answer and the query text keying it (up to 100 KB)."""
    return answer.size + len(key[0]) + 200


#: What identifies an answer within one dataset version: query text, results syntax,
#: default-graph-uri, named-graph-uri, row limit.
CacheKey = tuple[str, str, tuple[str, ...] | None, tuple[str, ...] | None, int]


class ResultCache:
    """An LRU of answers for one dataset version, at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int, max_entry_bytes: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._version = ""
        self._entries: OrderedDict[CacheKey, CachedAnswer] = OrderedDict()
        self._bytes = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, version: str, key: CacheKey) -> CachedAnswer | None:
        if version != self._version:
            return None
        answer = self._entries.get(key)
        if answer is not None:
            self._entries.move_to_end(key)
        return answer

    def put(self, version: str, key: CacheKey, answer: CachedAnswer) -> None:
        cost = _cost(key, answer)
        if not self.enabled or cost > self.max_entry_bytes:
            return
        if version != self._version:
            self._entries.clear()
            self._bytes = 0
            self._version = version
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._bytes -= _cost(key, previous)
        self._entries[key] = answer
        self._bytes += cost
        while self._bytes > self.max_bytes:
            evicted_key, evicted = self._entries.popitem(last=False)
            self._bytes -= _cost(evicted_key, evicted)
