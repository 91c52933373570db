"""Pick a forecasting model per series from backtest evidence.

Per series the candidate with the lowest mean RMSSE (MASE for intermittent/lumpy demand) wins;
seasonal naive is always among the candidates.  Because picking the best of many candidates on
the same windows that score it is optimistic, the choice of *strategy* is itself validated: the
earlier windows rank models, the last window(s) score three strategies — per-series best,
per-series mean of the top ``combine_top`` models, and the best single model for all series —
and the strategy with the lowest pooled WAPE there is then applied using all windows.
Planner pins override the choice and report their backtest cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .backtest import BacktestResult
from .classify import INTERMITTENT_CLASSES

COMBO_PREFIX = "combo:"


def _scores(errors: pd.DataFrame, demand: pd.DataFrame | None, windows: int) -> pd.DataFrame:
    """Mean ranking score per series × model, keeping models scored in every window."""
    g = errors.groupby(["series_id", "model"], sort=True)
    board = g[["rmsse", "mase", "abs_err", "abs_act"]].agg(
        {"rmsse": "mean", "mase": "mean", "abs_err": "sum", "abs_act": "sum"}
    )
    board["n_windows"] = g.size()
    board = board[board["n_windows"] >= windows].reset_index()
    return _attach_score(board, demand)


def _attach_score(board: pd.DataFrame, demand: pd.DataFrame | None) -> pd.DataFrame:
    intermittent = pd.Series(False, index=board.index)
    if demand is not None and not demand.empty:
        cls = board["series_id"].map(demand.set_index("series_id")["demand_class"])
        intermittent = cls.isin(INTERMITTENT_CLASSES)
    board["score"] = np.where(intermittent, board["mase"], board["rmsse"])
    board["score"] = board["score"].fillna(np.inf)
    return board


def _rank(board: pd.DataFrame) -> pd.DataFrame:
    return board.sort_values(["series_id", "score", "model"], kind="stable")


def _per_series(board: pd.DataFrame, top: int) -> pd.DataFrame:
    """``series_id, model, components`` where components is a '+'-joined model list."""
    ranked = _rank(board)
    if top <= 1:
        best = ranked.groupby("series_id", sort=True).head(1)
        return pd.DataFrame(
            {
                "series_id": best["series_id"].to_numpy(),
                "model": best["model"].to_numpy(),
                "components": best["model"].to_numpy(),
            }
        )
    heads = ranked.groupby("series_id", sort=True).head(top)
    comps = heads.groupby("series_id", sort=True)["model"].agg(lambda m: "+".join(sorted(m)))
    model = np.where(comps.str.contains("+", regex=False), COMBO_PREFIX + comps, comps)
    return pd.DataFrame({"series_id": comps.index, "model": model, "components": comps.to_numpy()})


def _global_best(board: pd.DataFrame, errors: pd.DataFrame | None) -> str | None:
    """Single model with the lowest pooled WAPE among models covering every series."""
    n_series = board["series_id"].nunique()
    cover = board.groupby("model")["series_id"].nunique()
    full = cover[cover == n_series].index
    if len(full) == 0 or errors is None:
        return None
    sums = errors[errors["model"].isin(full)].groupby("model")[["abs_err", "abs_act"]].sum()
    return (sums["abs_err"] / sums["abs_act"].clip(lower=1e-12)).idxmin()


def _strategy(
    name: str, board: pd.DataFrame, errors: pd.DataFrame | None, top: int
) -> pd.DataFrame:
    if name == "per_series_best":
        return _per_series(board, 1)
    if name == "per_series_combo":
        return _per_series(board, top)
    model = _global_best(board, errors)
    ids = np.sort(board["series_id"].unique())
    return pd.DataFrame({"series_id": ids, "model": model, "components": model})


def selected_forecasts(forecasts: pd.DataFrame, selection: pd.DataFrame) -> pd.DataFrame:
    """Forecast rows of the selection (combinations averaged), model column = selected name.

    Works on backtest forecasts (with ``window``) and on final forecasts alike.
    """
    comps = (
        selection[["series_id", "model", "components"]]
        .assign(component=selection["components"].str.split("+", regex=False))
        .explode("component")
    )
    picked = forecasts.merge(
        comps[["series_id", "component", "model"]].rename(columns={"model": "selected"}),
        left_on=["series_id", "model"],
        right_on=["series_id", "component"],
    )
    keys = [c for c in ("series_id", "window", "cutoff", "step", "ds") if c in picked.columns]
    agg = {"forecast": "mean"}
    if "actual" in picked.columns:
        agg["actual"] = "first"
    out = picked.groupby([*keys, "selected"], sort=True).agg(agg).reset_index()
    return out.rename(columns={"selected": "model"})


def _pooled_wape(frame: pd.DataFrame) -> float:
    den = frame["actual"].abs().sum()
    return float((frame["forecast"] - frame["actual"]).abs().sum() / max(den, 1e-12))


def select_models(
    leaderboard: pd.DataFrame,
    demand: pd.DataFrame | None = None,
    pins: dict[str, str] | None = None,
    backtest: BacktestResult | None = None,
    combine_top: int = 3,
    validation_windows: int = 1,
) -> pd.DataFrame:
    """Choose a model per series.

    With only ``leaderboard`` (from :func:`backtest`) the per-series best is returned.  With the
    full ``backtest`` result and at least two windows, the strategy is validated as described in
    the module docstring.  Returns ``series_id, model, components, demand_class, score,
    strategy, pinned, pin_cost, fva_vs_seasonal_naive`` where ``components`` lists the models a
    combination averages, ``score`` is the mean RMSSE/MASE of the choice (NaN for
    combinations), ``pin_cost`` is pinned score − best score and ``fva_vs_seasonal_naive`` is
    seasonal naive's backtest WAPE
    minus the choice's (positive = the forecast adds value).
    """
    strategy = "per_series_best"
    n_windows = int(leaderboard["n_windows"].max()) if "n_windows" in leaderboard else 1
    if backtest is not None and n_windows > validation_windows:
        errors = backtest.errors
        cut = n_windows - validation_windows
        early = errors[errors["window"] < cut]
        late = backtest.forecasts[backtest.forecasts["window"] >= cut]
        board_early = _scores(early, demand, cut)
        results = {}
        for name in ("per_series_best", "per_series_combo", "global_best"):
            sel = _strategy(name, board_early, early, combine_top)
            if sel["model"].isna().any():
                continue
            results[name] = _pooled_wape(selected_forecasts(late, sel))
        strategy = min(results, key=results.get)
    full = (
        _attach_score(leaderboard[leaderboard["n_windows"] >= n_windows].copy(), demand)
        if "n_windows" in leaderboard
        else _attach_score(leaderboard.copy(), demand)
    )
    selection = _strategy(
        strategy, full, backtest.errors if backtest is not None else None, combine_top
    )
    selection["strategy"] = strategy
    best_single = _per_series(full, 1).set_index("series_id")["model"]
    score = full.set_index(["series_id", "model"])["score"]
    wape = full.set_index(["series_id", "model"])["wape"]
    selection["pinned"] = False
    selection["pin_cost"] = 0.0
    for sid, model in (pins or {}).items():
        row = selection["series_id"] == sid
        if not row.any() or (sid, model) not in score.index:
            continue
        best = score.loc[(sid, best_single.loc[sid])]
        selection.loc[row, ["model", "components", "pinned", "pin_cost"]] = [
            model,
            model,
            True,
            float(score.loc[(sid, model)] - best),
        ]
    keys = pd.MultiIndex.from_arrays([selection["series_id"], selection["model"]])
    selection["score"] = score.reindex(keys).to_numpy()
    if backtest is not None:
        picked = selected_forecasts(backtest.forecasts, selection)
        num = (picked["forecast"] - picked["actual"]).abs().groupby(picked["series_id"]).sum()
        den = picked["actual"].abs().groupby(picked["series_id"]).sum()
        sel_wape = num / den.clip(lower=1e-12)
    else:
        sel_wape = pd.Series(wape.reindex(keys).to_numpy(), index=selection["series_id"])
    snaive = (
        wape.xs("seasonal_naive", level="model")
        if "seasonal_naive" in wape.index.get_level_values("model")
        else pd.Series(dtype=float)
    )
    selection["fva_vs_seasonal_naive"] = (
        selection["series_id"].map(snaive) - selection["series_id"].map(sel_wape)
    ).to_numpy()
    classes = (
        demand.set_index("series_id")["demand_class"]
        if demand is not None and not demand.empty
        else pd.Series(dtype=object)
    )
    selection["demand_class"] = selection["series_id"].map(classes)
    cols = [
        "series_id",
        "model",
        "components",
        "demand_class",
        "score",
        "strategy",
        "pinned",
        "pin_cost",
        "fva_vs_seasonal_naive",
    ]
    return selection[cols].reset_index(drop=True)
