"""Spreading a changed total down to the lines under it, exactly.

A planner who sets a category's week to 1,200 units expects its store × SKU lines to add up
to 1,200 — not 1,199.97 and not 1,201 after rounding each line. The change is spread in
proportion to a basis (the statistical forecast, or the current plan when a total is pinned
with its split kept), and where the grain is whole units the largest-remainder method hands
out the last units so the children sum exactly to the new total.
"""

from __future__ import annotations

import numpy as np


def spread_total(basis: np.ndarray, new_total: float, *, whole_units: bool) -> np.ndarray:
    """Lines proportional to ``basis`` that sum exactly to ``new_total``.

    A basis that sums to zero (nothing was forecast) is spread evenly. In whole units the
    total is rounded first (a plan of 10.4 units is 10), every line gets the floor of its
    share and the remaining units go to the largest fractional parts, ties to the earlier
    line, so the result is deterministic.
    """
    basis = np.asarray(basis, dtype=float)
    if basis.ndim != 1 or len(basis) == 0:
        raise ValueError("there are no lines to spread the total over")
    if not np.isfinite(new_total) or new_total < 0:
        raise ValueError(f"a total must be a finite number of units, at least 0 (got {new_total})")
    if np.any(~np.isfinite(basis)) or np.any(basis < 0):
        raise ValueError("the basis of a spread must be finite and not negative")
    weights = basis / basis.sum() if basis.sum() > 0 else np.full(len(basis), 1 / len(basis))
    if not whole_units:
        lines = weights * new_total
        lines[-1] = max(new_total - lines[:-1].sum(), 0.0)
        return lines
    total = round(float(new_total))
    shares = weights * total
    lines = np.floor(shares)
    left = total - int(lines.sum())
    if left > 0:
        order = np.lexsort((np.arange(len(shares)), -(shares - lines)))
        lines[order[:left]] += 1
    return lines
