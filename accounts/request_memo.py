"""A value computed once per request, however many templates ask for it.

Context processors run for every template rendered with the request, and a page that renders
a partial per row (a worklist) would run their queries once per row.
"""

from __future__ import annotations

from collections.abc import Callable


def once_per_request[T](request, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` the first time ``name`` is asked for on ``request``, the kept value after."""
    memo = request.__dict__.setdefault("_sop_request_memo", {})
    if name not in memo:
        memo[name] = compute()
    return memo[name]
