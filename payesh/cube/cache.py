"""Answers of the cube kept in memory per lake version.

The lake changes only when a batch is committed, withdrawn or restored, and each of those replaces the
manifest file (``payesh.ledger.core.lake``); the manifest's identity (inode, modification time, size) is
therefore the lake's version. An answer is stored under the question *and* that version, so a batch
change makes every older answer unreachable at once: nothing has to be told to invalidate, and a
stale answer can never be served. Old entries leave by least-recent use.

Each server process (gunicorn worker) has its own cache: no shared state, no lock held across a query.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

from payesh.cube.dims import dims_dir, dims_fingerprint
from payesh.ledger.core.lake import MANIFEST

# Answers are paged (the API's limit caps each one, the explorer asks at most 2000 rows) and pages hold
# aggregated tables, so the entry count bounds the memory too.
MAX_ENTRIES = 512

_entries: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def lake_version(lake_root: Path | None = None) -> str:
    """Changes whenever a batch changes (the manifest is replaced by a rename); one stat call."""
    from django.conf import settings

    root = Path(settings.PAYESH_LAKE) if lake_root is None else lake_root
    # The dimension tables are part of the answer too (an admin moving a customs office to another
    # province changes the through-scope numbers): their publisher's time stamp joins the version.
    dims = dims_fingerprint(dims_dir(root))
    try:
        stat = (root / MANIFEST).stat()
    except FileNotFoundError:
        return f"{settings.PAYESH_ENGINE}:{root}:empty:{dims}"
    return f"{settings.PAYESH_ENGINE}:{root}:{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}:{dims}"


def answer_cached[T](key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s answer to the question ``key`` for the current lake version, computed once.

    ``key`` must name everything the answer depends on besides the lake (parameters, language, page).
    Exceptions (a bad question) are not cached. Callers must not mutate the returned object.
    """
    full_key = (lake_version(), key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]  # type: ignore[return-value]
    value = compute()  # outside the lock: two first askers may both compute, neither waits
    with _lock:
        _entries[full_key] = value
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def answer_cache_clear() -> None:
    with _lock:
        _entries.clear()
