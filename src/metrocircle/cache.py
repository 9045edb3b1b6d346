"""One result cache for the library, the API and the command line (issue 16 item 6).

A result is kept under ``(data version, question, arguments)``: the data version is the
dataset's content digest (:attr:`metrocircle.region.Region.data_version`), so a changed
dataset never gets an answer computed from the old one, whatever path it was loaded from.
Each question has its own bound (least recently used dropped first), so a question with
many possible arguments (any year, any minutes) cannot push the few answers of another out.

Who holds which cache:

* the API app holds one :class:`ResultCache` (``app.state.results``, see
  :func:`metrocircle.api.heavy.results_of`); its heavy routes add single flight on top
  (:class:`metrocircle.api.heavy.SharedResults`);
* the library and the command line use the process-wide one (:func:`process_cache`) unless
  a cache is passed, so one command that asks a question twice computes it once.

Keep :func:`functools.lru_cache` for pure helpers that depend on no dataset (building a
coordinate transformer from a CRS name, reading the package's own tables): their answer
cannot go stale, and they need no data version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

__all__ = ["DEFAULT_MAXSIZE", "ResultCache", "process_cache"]

T = TypeVar("T")

DEFAULT_MAXSIZE = 64
"""Entries kept per question when no bound was set for it (memory bound, not a model parameter)."""


class ResultCache:
    """Results keyed by ``(data version, question, arguments)``, bounded per question.

    Thread-safe. ``maxsize`` is the bound of a question without its own (see
    :meth:`set_bound`); a failure is never kept. Arguments must be hashable.

    >>> c = ResultCache(maxsize=2)
    >>> c.get("v1", "double", (2,), lambda: 4)
    4
    >>> c.get("v1", "double", (2,), lambda: 5)  # a hit: not recomputed
    4
    >>> c.get("v2", "double", (2,), lambda: 6)  # another data version: computed again
    6
    """

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE, bounds: Mapping[str, int] | None = None):
        if maxsize < 1:
            msg = f"`maxsize` was {maxsize} but is expected to be at least 1"
            raise ValueError(msg)
        self.maxsize = maxsize
        self._bounds: dict[str, int] = {}
        self._lock = threading.Lock()
        self._entries: dict[str, OrderedDict[tuple[str, Hashable], Any]] = {}
        self.hits = 0
        self.misses = 0
        for question, bound in (bounds or {}).items():
            self.set_bound(question, bound)

    def set_bound(self, question: str, maxsize: int) -> None:
        """Keep at most ``maxsize`` answers to ``question`` (dropping the oldest now if over)."""
        if maxsize < 1:
            msg = f"bound of {question!r} was {maxsize} but is expected to be at least 1"
            raise ValueError(msg)
        with self._lock:
            self._bounds[question] = maxsize
            self._trim(question)

    def bound(self, question: str) -> int:
        """Answers to ``question`` kept at most."""
        return self._bounds.get(question, self.maxsize)

    def _trim(self, question: str) -> None:
        entries = self._entries.get(question)
        limit = self.bound(question)
        while entries is not None and len(entries) > limit:
            entries.popitem(last=False)

    def lookup(self, data_version: str, question: str, args: Hashable) -> tuple[bool, Any]:
        """``(True, answer)`` when kept (and marked recently used), else ``(False, None)``."""
        key = (data_version, args)
        with self._lock:
            entries = self._entries.get(question)
            if entries is not None and key in entries:
                entries.move_to_end(key)
                self.hits += 1
                return True, entries[key]
            self.misses += 1
            return False, None

    def put(self, data_version: str, question: str, args: Hashable, value: Any) -> None:
        """Keep ``value`` as the answer (the question's oldest answer dropped beyond its bound)."""
        with self._lock:
            entries = self._entries.setdefault(question, OrderedDict())
            entries[(data_version, args)] = value
            entries.move_to_end((data_version, args))
            self._trim(question)

    def get(self, data_version: str, question: str, args: Hashable, make: Callable[[], T]) -> T:
        """The kept answer, or ``make()`` kept and returned (two callers missing at once may
        both compute; the API's heavy routes add single flight on top)."""
        hit, value = self.lookup(data_version, question, args)
        if hit:
            return value  # type: ignore[no-any-return]
        value = make()
        self.put(data_version, question, args, value)
        return value

    def size(self, question: str) -> int:
        """Answers to ``question`` kept now."""
        with self._lock:
            return len(self._entries.get(question, ()))

    def __len__(self) -> int:
        with self._lock:
            return sum(len(e) for e in self._entries.values())

    def clear(self) -> None:
        """Drop every answer (bounds stay)."""
        with self._lock:
            self._entries.clear()


_PROCESS = ResultCache()


def process_cache() -> ResultCache:
    """The cache of this process: the library's and the command line's default."""
    return _PROCESS
