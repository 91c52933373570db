"""Pick a forecasting model per series from backtest evidence.

Per series the candidate with the lowest mean RMSSE (MASE for intermittent/lumpy demand) wins;
seasonal naive is always among the candidates.  The choice of *strategy* is
itself made on backtest evidence, among three:

* ``global`` — one model, or a weighted blend of the two best fitted models, for every series
  (the rest, too short for them, keep their own best);
* ``per_series_best`` — each series' own best model;
* ``per_series_combo`` — each series' mean of its top ``combine_top`` models.

The global strategy is kept unless a per-series one has a lower WAPE pooled over the backtest
windows by more than the windows' noise (see :func:`_validated_strategy` for how each is
scored without flattering the per-series ones).
Planner pins override the choice and report their backtest cost.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .backtest import BacktestResult
from .blend import Blend
from .classify import INTERMITTENT_CLASSES
from .models import RULES
from .results import SELECTION_COLUMNS

SELECTION_KEYS = ["series_id", "model", "blend"]
# A model must cover this share of series to be applied to all of them (the rest keep their
# per-series best): ETS and the global model skip only series too short to fit.
GLOBAL_MIN_COVERAGE = 0.8


def _scores(errors: pd.DataFrame, demand: pd.DataFrame | None) -> pd.DataFrame:
    """Mean ranking score per series × model, keeping models scored in every window of the
    series (a series too young for the seasonal window is ranked on the rolling ones)."""
    g = errors.groupby(["series_id", "model"], sort=True)
    board = g[["rmsse", "mase", "abs_err", "abs_act"]].agg(
        {"rmsse": "mean", "mase": "mean", "abs_err": "sum", "abs_act": "sum"}
    )
    board["n_windows"] = g.size()
    board = _in_every_window(board.reset_index())
    return _attach_score(board, demand)


def _in_every_window(board: pd.DataFrame) -> pd.DataFrame:
    """Rows of models scored in as many windows as the series' best-covered model."""
    most = board.groupby("series_id")["n_windows"].transform("max")
    return board[board["n_windows"] >= most]


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
    """``series_id, model, blend``: each series' top ``top`` models weighed equally."""
    ranked = _rank(board)
    heads = ranked.groupby("series_id", sort=True).head(max(top, 1))
    blends = heads.groupby("series_id", sort=True)["model"].agg(Blend.equal)
    return pd.DataFrame(
        {
            "series_id": blends.index,
            "model": [blend.name for blend in blends],
            "blend": blends.to_numpy(),
        }
    )


def _global_ranking(board: pd.DataFrame, errors: pd.DataFrame | None) -> list[str]:
    """Models that cover most series (``GLOBAL_MIN_COVERAGE``), best pooled WAPE first.

    They are compared on the series all of them cover, so a model that skips hard series
    gains nothing from it.
    """
    if errors is None:
        return []
    n_series = board["series_id"].nunique()
    cover = board.groupby("model")["series_id"].nunique()
    wide = cover[cover >= GLOBAL_MIN_COVERAGE * n_series].index
    if len(wide) == 0:
        return []
    scored = board[board["model"].isin(wide)]
    common = scored.groupby("series_id")["model"].nunique()
    common = common[common == len(wide)].index
    part = errors[errors["model"].isin(wide) & errors["series_id"].isin(common)]
    sums = part.groupby("model")[["abs_err", "abs_act"]].sum()
    wape = (sums["abs_err"] / sums["abs_act"].clip(lower=1e-12)).sort_values(kind="stable")
    return list(wape.index)


def _global(board: pd.DataFrame, blend: Blend) -> pd.DataFrame:
    """Every series gets ``blend``; a series that lacks one of its models keeps its own best."""
    own = _per_series(board, 1).set_index("series_id")
    have = board[board["model"].isin(blend.models)].groupby("series_id")["model"].nunique()
    covered = have[have == len(blend.models)].index
    own.loc[covered, "model"] = blend.name
    own.loc[covered, "blend"] = blend
    return own.reset_index()


def combination_weights(forecasts: pd.DataFrame, first: str, second: str) -> list[int]:
    """Relative weights (in eighths, 8:0 to 0:8) of two models minimising their WAPE in the
    latest backtest window that has forecasts of both.

    Weighting by evidence (Bates and Granger) keeps most of a combination's robustness while
    not letting a clearly weaker partner drag the better model down by half. Every window
    chooses the pair, but how much each model weighs depends on how much history it learned
    from: only the latest window's models saw nearly the history the final refit sees (a
    global model fitted a year earlier, on a year less data, is weaker than the one that
    will forecast), and pooled windows let the one with the largest errors (a peak a model
    had no year of history for) set the weights. (Settling near-ties towards the more even
    blend was tried on unseen synthetic companies: it never helped out of sample and
    sometimes lost clearly; so did weights fitted on all windows on a finer grid.)
    """
    wide, actual = _paired_forecasts(forecasts, first, second)
    if wide.empty:
        return [1, 0]
    windows = wide.index.get_level_values("window")
    latest = windows == windows.max()
    wide, actual = wide[latest], actual[latest]
    best, best_err = [8, 0], np.inf
    for eighths in range(8, -1, -1):
        blend = (eighths * wide[first] + (8 - eighths) * wide[second]) / 8
        err = float((blend - actual).abs().sum())
        if err < best_err:
            best, best_err = [eighths, 8 - eighths], err
    common = math.gcd(*best)
    return [w // common for w in best]


def _paired_forecasts(
    forecasts: pd.DataFrame, first: str, second: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Both models' backtest forecasts (columns ``first``, ``second``) where both have one,
    and the actuals, indexed by series, window and date."""
    pair = forecasts[forecasts["model"].isin([first, second])]
    wide = (
        pair.pivot_table(
            index=["series_id", "window", "ds"], columns="model", values="forecast", aggfunc="first"
        )
        .reindex(columns=[first, second])  # a model whose every forecast failed has no column
        .dropna()
    )
    actual = pair.groupby(["series_id", "window", "ds"])["actual"].first().reindex(wide.index)
    return wide, actual


def _global_choice(
    board: pd.DataFrame, errors: pd.DataFrame | None, forecasts: pd.DataFrame | None
) -> pd.DataFrame:
    """One model, or a weighted pair, for every series.

    When a fitted model ranks first, the two best fitted models are blended; when a rule
    (a naive benchmark or the year-over-year seasonal naive) ranks first, it is blended with
    the best fitted model. Weights are fitted on the backtest and may give one model
    everything. A rule leading means last year's shape is the best evidence there is (before
    a peak, on a short history); a fitted model then corrects it where it knows better, but
    another rule would only repeat it.
    """
    ranking = _global_ranking(board, errors)
    if not ranking:
        return pd.DataFrame(columns=SELECTION_KEYS)
    fitted = [m for m in ranking if m not in RULES]
    pair = [ranking[0], *fitted[:1]] if ranking[0] in RULES else fitted[:2]
    if len(pair) < 2 or forecasts is None:
        return _global(board, Blend.single(ranking[0]))
    weights = combination_weights(forecasts, *pair)
    kept = [(m, w) for m, w in zip(pair, weights, strict=True) if w > 0]
    return _global(board, Blend(tuple(m for m, _ in kept), tuple(w for _, w in kept)))


def selected_forecasts(forecasts: pd.DataFrame, selection: pd.DataFrame) -> pd.DataFrame:
    """Forecast rows of the selection (blends weighted), model column = selected name.

    Works on backtest forecasts (with ``window``) and on final forecasts alike; ``selection``
    has ``series_id, model, blend``.
    """
    components = (
        selection[["series_id", "model"]]
        .assign(
            component=[list(blend.models) for blend in selection["blend"]],
            weight=[list(blend.weights) for blend in selection["blend"]],
        )
        .explode(["component", "weight"])
    )
    components["weight"] = components["weight"].astype(float)
    picked = forecasts.merge(
        components.rename(columns={"model": "selected"}),
        left_on=["series_id", "model"],
        right_on=["series_id", "component"],
    )
    picked["weighted"] = picked["forecast"] * picked["weight"]
    keys = [c for c in ("series_id", "window", "cutoff", "step", "ds") if c in picked.columns]
    agg = {"weighted": "sum", "weight": "sum"}
    if "actual" in picked.columns:
        agg["actual"] = "first"
    out = picked.groupby([*keys, "selected"], sort=True).agg(agg).reset_index()
    out["forecast"] = out["weighted"] / out["weight"]
    out = out.drop(columns=["weighted", "weight"])
    return out.rename(columns={"selected": "model"})


def _absolute_errors(frame: pd.DataFrame) -> tuple[float, float]:
    """Sum of absolute errors and of absolute actuals, to pool WAPE over windows."""
    return (
        float((frame["forecast"] - frame["actual"]).abs().sum()),
        float(frame["actual"].abs().sum()),
    )


def _validated_strategy(
    backtest: BacktestResult, demand: pd.DataFrame | None, top: int
) -> tuple[str, pd.DataFrame | None]:
    """The strategy validated on the backtest windows, and the global selection when that
    strategy won (it was made from all windows, so it is final).

    A per-series strategy makes one choice per series, so scoring it on the windows it chose
    from flatters it: window v is forecast by its choice from the other windows only (leave
    one window out).  The global strategy makes one choice (a model, or a weighted pair) for
    thousands of points, whose in-sample optimism is negligible, so it is scored on all
    windows at once — holding a window out of its choice would throw away exactly the
    evidence, often a recent change of regime, that the final choice then uses.

    The global strategy is the default; a per-series one replaces it when its WAPE pooled over
    the windows is lower by more than the noise of the windows (:func:`_clearly_better`).
    """
    n_windows = int(backtest.errors["window"].max()) + 1
    board = _scores(backtest.errors, demand)
    per_window: dict[str, np.ndarray] = {}  # strategy → (window × [abs error, abs actual])
    chosen = _global_choice(board, backtest.errors, backtest.forecasts)
    if not chosen.empty:
        picked = selected_forecasts(backtest.forecasts, chosen)
        per_window["global"] = np.array(
            [_absolute_errors(picked[picked["window"] == v]) for v in range(n_windows)]
        )
    per_series = {"per_series_best": 1, "per_series_combo": top}
    for name in per_series:
        per_window[name] = np.zeros((n_windows, 2))
    for v in range(n_windows):
        rest = _scores(backtest.errors[backtest.errors["window"] != v], demand)
        held_out = backtest.forecasts[backtest.forecasts["window"] == v]
        for name, size in per_series.items():
            per_window[name][v] = _absolute_errors(
                selected_forecasts(held_out, _per_series(rest, size))
            )
    wape = {name: _pooled_wape(errors) for name, errors in per_window.items()}
    if "global" not in per_window:
        return min(wape, key=wape.get), None
    winner = "global"
    for name in sorted(per_series, key=wape.get):
        if wape[name] < wape["global"] and _clearly_better(per_window[name], per_window["global"]):
            winner = name
            break
    return winner, chosen if winner == "global" else None


def _pooled_wape(errors: np.ndarray) -> float:
    return float(errors[:, 0].sum() / max(errors[:, 1].sum(), 1e-12))


def _clearly_better(errors: np.ndarray, default: np.ndarray) -> bool:
    """Whether ``errors`` beat ``default`` by more than one standard error of their per-window
    WAPE differences (the one-standard-error rule), and in the latest window too.

    Thousands of per-series choices fit the windows' noise: a margin within that noise did
    not hold out of sample (on Walmart's year-end peak the per-series combination edged the
    global blend by 0.1 % in the backtest and lost by 10 % on the holdout), nor did one that
    the latest window, the nearest to the forecast, contradicts.
    """
    scored = (errors[:, 1] > 0) & (default[:, 1] > 0)
    if scored.sum() < 2:
        return True
    gain = default[scored, 0] / default[scored, 1] - errors[scored, 0] / errors[scored, 1]
    return bool(gain.mean() > gain.std(ddof=1) / np.sqrt(len(gain)) and gain[-1] >= 0)


def select_models(
    leaderboard: pd.DataFrame,
    demand: pd.DataFrame | None = None,
    pins: dict[str, Blend] | None = None,
    backtest: BacktestResult | None = None,
    combine_top: int = 3,
) -> pd.DataFrame:
    """Choose a model per series.

    With only ``leaderboard`` (from :func:`backtest`) the per-series best is returned.  With the
    full ``backtest`` result and at least two windows, the strategy is validated as described in
    the module docstring.  Returns ``series_id, model, blend, demand_class, score, strategy,
    pinned, pin_cost, fva_vs_seasonal_naive`` where ``blend`` is the :class:`Blend` chosen
    and ``model`` its name, ``score`` is the mean RMSSE/MASE of the choice (NaN for blends),
    ``pin_cost`` is pinned score − best score and ``fva_vs_seasonal_naive`` is seasonal
    naive's backtest WAPE minus the choice's (positive = the forecast adds value).  A pin
    may be a blend (as a run that keeps its models passes the current choice); its pin cost
    is unknown (NaN).
    """
    strategy, selection = "per_series_best", None
    n_windows = int(leaderboard["n_windows"].max()) if "n_windows" in leaderboard else 1
    if backtest is not None and n_windows > 1:
        strategy, selection = _validated_strategy(backtest, demand, combine_top)
    full = (
        _attach_score(_in_every_window(leaderboard).copy(), demand)
        if "n_windows" in leaderboard
        else _attach_score(leaderboard.copy(), demand)
    )
    if selection is None:
        selection = _per_series(full, 1 if strategy == "per_series_best" else combine_top)
    selection["strategy"] = strategy
    best_single = _per_series(full, 1).set_index("series_id")["model"]
    score = full.set_index(["series_id", "model"])["score"]
    wape = full.set_index(["series_id", "model"])["wape"]
    selection["pinned"] = False
    selection["pin_cost"] = 0.0
    for sid, blend in (pins or {}).items():
        row = selection["series_id"] == sid
        if not row.any() or any((sid, m) not in score.index for m in blend.models):
            continue
        cost = np.nan
        if blend.is_single:
            cost = float(score.loc[(sid, blend.name)] - score.loc[(sid, best_single.loc[sid])])
        selection.loc[row, "model"] = blend.name
        selection.loc[row, "blend"] = blend
        selection.loc[row, "pinned"] = True
        selection.loc[row, "pin_cost"] = cost
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
    # The results' selection columns but the fallback reason, which the pipeline adds later.
    cols = [c for c in SELECTION_COLUMNS if c != "fallback_reason"]
    return selection[cols].reset_index(drop=True)
