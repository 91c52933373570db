"""Coherent forecasts across hierarchy levels (store, sku, region, category ...).

``hierarchy`` maps each bottom ``series_id`` to one column per level.  Nodes are named
``"<level>=<value>"`` plus ``"total"``; bottom nodes keep their series_id.  Bottom-up sums the
bottom forecasts; MinT (shrink) combines base forecasts of every node using a shrunk residual
covariance and then re-aggregates the reconciled bottom level, so every parent equals the sum
of its children exactly (to float rounding).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

TOTAL = "total"


def node_map(hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Long ``node, level, series_id`` membership table, total and bottom included."""
    levels = [c for c in hierarchy.columns if c != "series_id"]
    parts = [
        pd.DataFrame(
            {"node": TOTAL, "level": TOTAL, "series_id": hierarchy["series_id"].to_numpy()}
        )
    ]
    for lvl in levels:
        parts.append(
            pd.DataFrame(
                {
                    "node": lvl + "=" + hierarchy[lvl].astype(str),
                    "level": lvl,
                    "series_id": hierarchy["series_id"],
                }
            )
        )
    parts.append(
        pd.DataFrame(
            {
                "node": hierarchy["series_id"].to_numpy(),
                "level": "series_id",
                "series_id": hierarchy["series_id"].to_numpy(),
            }
        )
    )
    return pd.concat(parts, ignore_index=True).drop_duplicates(["node", "series_id"])


def aggregate(
    frame: pd.DataFrame,
    hierarchy: pd.DataFrame,
    value_columns: Sequence[str] = ("forecast",),
) -> pd.DataFrame:
    """Sum bottom-level rows (``series_id, ds, <values>``) to every node of the hierarchy.

    Returns ``node, level, ds, <values>``; also used to build aggregate histories to forecast.
    """
    members = node_map(hierarchy)
    merged = frame.merge(members, on="series_id")
    out = merged.groupby(["node", "level", "ds"], sort=True)[list(value_columns)].sum()
    return out.reset_index()


def _summing_matrix(hierarchy: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray]:
    members = node_map(hierarchy)
    bottom = sorted(hierarchy["series_id"].unique())
    nodes = list(dict.fromkeys(members["node"]))
    s = np.zeros((len(nodes), len(bottom)))
    s[
        pd.Index(nodes).get_indexer(members["node"]),
        pd.Index(bottom).get_indexer(members["series_id"]),
    ] = 1.0
    return nodes, bottom, s


def _shrunk_covariance(resid: np.ndarray) -> np.ndarray:
    """Schäfer-Strimmer shrinkage of the residual covariance towards its diagonal."""
    n = resid.shape[0]
    resid = resid - resid.mean(axis=0)
    cov = resid.T @ resid / max(n - 1, 1)
    sd = np.sqrt(np.clip(np.diag(cov), 1e-12, None))
    z = resid / sd
    corr = z.T @ z / max(n - 1, 1)
    w = np.einsum("ti,tj->tij", z, z)
    var_corr = n / max((n - 1) ** 3, 1) * ((w - corr[None]) ** 2).sum(axis=0)
    off = ~np.eye(len(sd), dtype=bool)
    lam = float(np.clip(var_corr[off].sum() / max((corr[off] ** 2).sum(), 1e-12), 0.0, 1.0))
    shrunk = np.where(off, (1 - lam) * corr, 1.0)
    return shrunk * np.outer(sd, sd)


def reconcile(
    forecasts: pd.DataFrame,
    hierarchy: pd.DataFrame,
    method: str = "bottom_up",
    residuals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return coherent forecasts ``node, level, ds, forecast`` for every node.

    ``bottom_up``: ``forecasts`` holds bottom rows (``series_id, ds, forecast``).
    ``mint_shrink``: ``forecasts`` holds base forecasts for every node as ``series_id`` = node
    name (see :func:`node_map`), and ``residuals`` (``series_id, ds, resid`` per node, e.g.
    backtest errors) estimate the error covariance.  The reconciled bottom level is
    re-aggregated, so parents are exact sums of children.
    """
    if method == "bottom_up":
        bottom = forecasts[forecasts["series_id"].isin(hierarchy["series_id"])]
        return aggregate(bottom, hierarchy)
    if method != "mint_shrink":
        raise ValueError(f"unknown reconciliation method {method!r}")
    if residuals is None:
        raise ValueError("mint_shrink needs residuals for every node")
    nodes, bottom_ids, s = _summing_matrix(hierarchy)
    base = forecasts.pivot_table(
        index="ds", columns="series_id", values="forecast", aggfunc="first"
    ).reindex(columns=nodes)
    if base.isna().any().any():
        raise ValueError("mint_shrink needs a base forecast for every node and date")
    res = (
        residuals.pivot_table(index="ds", columns="series_id", values="resid", aggfunc="first")
        .reindex(columns=nodes)
        .dropna()
    )
    w = _shrunk_covariance(res.to_numpy()) + 1e-9 * np.eye(len(nodes))
    w_inv_s = np.linalg.solve(w, s)
    g = np.linalg.solve(s.T @ w_inv_s, w_inv_s.T)
    rec_bottom = base.to_numpy() @ g.T
    long = pd.DataFrame(rec_bottom, index=base.index, columns=bottom_ids).stack()
    bottom = long.rename("forecast").reset_index().rename(columns={"level_1": "series_id"})
    bottom.columns = ["ds", "series_id", "forecast"]
    return aggregate(bottom, hierarchy)
