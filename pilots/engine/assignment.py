"""Assigning stores to control and experimental groups, reproducibly.

Every design records its seed, so the same stores and seed give the same groups, and every
design can re-draw itself (``Assignment.redraw``) the way it was drawn: the permutation test
needs exactly that, since a stratified or paired design has fewer possible assignments than
a completely random one, and testing against the wrong ones gives wrong p-values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONTROL, EXPERIMENTAL = 0, 1


class DesignError(ValueError):
    """The stores cannot be assigned this way; the message says why."""


@dataclass(frozen=True)
class Assignment:
    """Groups of ``store_ids`` (0 control, 1 experimental) and the blocks they were drawn in.

    ``blocks`` holds each store's stratum or pair number; stores are only ever swapped within
    their block. A completely random design has one block.
    """

    store_ids: np.ndarray
    group: np.ndarray
    blocks: np.ndarray
    design: str
    seed: int

    def redraw(self, rng: np.random.Generator, times: int) -> np.ndarray:
        """``times`` new assignments drawn as this one was: (times, stores) of 0/1."""
        draws = np.empty((times, len(self.group)), dtype=np.int8)
        for block in np.unique(self.blocks):
            members = np.flatnonzero(self.blocks == block)
            values = self.group[members]
            keys = rng.random((times, len(members)))
            draws[:, members] = values[np.argsort(keys, axis=1)]
        return draws

    @property
    def experimental(self) -> np.ndarray:
        return self.store_ids[self.group == EXPERIMENTAL]

    @property
    def control(self) -> np.ndarray:
        return self.store_ids[self.group == CONTROL]


def assign_random(store_ids: np.ndarray, *, seed: int) -> Assignment:
    """Complete randomisation: half the stores (the odd one to a coin flip) experimental."""
    store_ids = _stores(store_ids)
    rng = np.random.default_rng(seed)
    group = _balanced(len(store_ids), rng)
    return Assignment(store_ids, group, np.zeros(len(store_ids), dtype=int), "random", seed)


def assign_stratified(store_ids: np.ndarray, strata: np.ndarray, *, seed: int) -> Assignment:
    """Randomise within each stratum (region, format, size band, pre-period sales band):
    each stratum is split in half, and strata with an odd count lean to either group by a
    coin flip, alternating so the groups stay within one store of each other overall."""
    store_ids = _stores(store_ids)
    strata = np.asarray(strata)
    if len(strata) != len(store_ids):
        raise DesignError("Every store needs a stratum.")
    rng = np.random.default_rng(seed)
    labels, blocks = np.unique(strata, return_inverse=True)
    group = np.empty(len(store_ids), dtype=np.int8)
    lean = int(rng.integers(2))
    for block in range(len(labels)):
        members = np.flatnonzero(blocks == block)
        values = _balanced(len(members), rng, extra_to=lean)
        if len(members) % 2:
            lean = 1 - lean
        group[members] = values
    return Assignment(store_ids, group, blocks, "stratified", seed)


def assign_matched_pairs(store_ids: np.ndarray, features: np.ndarray, *, seed: int) -> Assignment:
    """Pair the most alike stores (standardised features, greedy nearest pairs) and flip a
    coin within each pair. With an odd count the store least like any other stays out."""
    store_ids = _stores(store_ids)
    features = np.asarray(features, dtype=float).reshape(len(store_ids), -1)
    if len(store_ids) < 4:
        raise DesignError("Matched pairs need at least four stores.")
    if not np.all(np.isfinite(features)):
        raise DesignError("Every store needs its matching figures (pre-period sales, size...).")
    spread = features.std(axis=0)
    z = (features - features.mean(axis=0)) / np.where(spread > 0, spread, 1)
    distance = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(distance, np.inf)
    rng = np.random.default_rng(seed)
    unpaired = set(range(len(store_ids)))
    pairs: list[tuple[int, int]] = []
    order = np.dstack(np.unravel_index(np.argsort(distance, axis=None), distance.shape))[0]
    for a, b in order:
        if len(unpaired) < 2:
            break
        if a in unpaired and b in unpaired:
            pairs.append((int(a), int(b)))
            unpaired -= {a, b}
    keep = np.array(sorted(i for pair in pairs for i in pair))
    index = {store: position for position, store in enumerate(keep)}
    group = np.empty(len(keep), dtype=np.int8)
    blocks = np.empty(len(keep), dtype=int)
    for number, (a, b) in enumerate(pairs):
        first = int(rng.integers(2))
        group[index[a]], group[index[b]] = first, 1 - first
        blocks[index[a]] = blocks[index[b]] = number
    return Assignment(store_ids[keep], group, blocks, "matched_pairs", seed)


def _stores(store_ids: np.ndarray) -> np.ndarray:
    store_ids = np.asarray(store_ids)
    if len(store_ids) < 2:
        raise DesignError("A pilot needs at least two stores.")
    if len(np.unique(store_ids)) != len(store_ids):
        raise DesignError("A store can be assigned only once.")
    return store_ids


def _balanced(n: int, rng: np.random.Generator, extra_to: int | None = None) -> np.ndarray:
    """``n`` group labels, half each, the odd one to ``extra_to`` (or a coin flip), shuffled."""
    extra = int(rng.integers(2)) if extra_to is None else extra_to
    experimental = n // 2 + (n % 2) * extra
    values = np.array([EXPERIMENTAL] * experimental + [CONTROL] * (n - experimental), np.int8)
    return rng.permutation(values)
