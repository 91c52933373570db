"""Simulated pilots on the company's own history (``manage.py simulate_pilot``)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from django.db.models import Max, Min

from history.models import SalesFact
from masterdata.models import Store
from pilots.engine.assignment import assign_stratified
from pilots.engine.kpis import store_daily_kpis
from pilots.engine.simulation import SimulationResult, simulate_kpi
from pilots.kpi_inputs import kpi_frames
from pilots.models import Kpi
from pilots.services import weekly_matrix

# The KPIs the history can measure without a pilot running (alerts need operators' verdicts).
HISTORY_KPIS = (
    Kpi.MAPE,
    Kpi.WAPE,
    Kpi.CYCLE_SERVICE_LEVEL,
    Kpi.FILL_RATE,
    Kpi.EXCESS_STOCK,
    Kpi.STOCKOUTS,
    Kpi.TURNOVER,
    Kpi.COST,
)

# The share of weeks in which a store must have the KPI to take part in the simulations.
MEASURED_SHARE = 0.9


def history_panels(*, weeks: int | None) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
    """Per KPI a (stores × weeks) panel of the last ``weeks`` full weeks of history (all of
    it when ``weeks`` is None), and each store's region (the strata of the simulated designs)."""
    span = SalesFact.objects.aggregate(first=Min("date"), last=Max("date"))
    first, last = span["first"], span["last"]
    if last is None:
        raise ValueError("There is no sales history to simulate pilots on.")
    full_weeks = ((last - first).days + 1) // 7
    if weeks is not None:
        full_weeks = min(full_weeks, weeks)
    first = last - timedelta(weeks=full_weeks) + timedelta(days=1)
    stores = list(Store.objects.order_by("pk").values_list("pk", "region_id"))
    store_ids = [pk for pk, _ in stores]
    daily = store_daily_kpis(**kpi_frames(store_ids=store_ids, date_from=first, date_to=last))
    panels = {}
    for kpi in HISTORY_KPIS:
        matrix = weekly_matrix(daily[daily["kpi"] == kpi]).reindex(store_ids)
        if (matrix.notna().mean(axis=1) >= MEASURED_SHARE).sum() >= 4:
            panels[kpi] = matrix
    return panels, np.array([region for _, region in stores])


def simulate_history(
    *,
    runs: int,
    pre_weeks: int,
    pilot_weeks: int,
    standardised_effect: float = 0.0,
    seed: int = 0,
    history_weeks: int | None = None,
) -> dict[str, SimulationResult]:
    """A/A (or planted-effect) pilots per KPI, stratified by region as admins usually do.

    The simulated pilots start anywhere in the last ``history_weeks`` of history (all of it
    by default): with only a few stores, one short stretch of history is one draw of the
    stores' residuals, and the power found on it can sit far from what the design predicts
    on average; the whole history gives many such draws to average over."""
    panels, regions = history_panels(weeks=history_weeks)
    results = {}
    for kpi, matrix in panels.items():
        # A store is simulated when the KPI is known in most weeks; the rare unknown weeks
        # (no replenishment cycle ended) are left out of its window means.
        complete = (matrix.notna().mean(axis=1) >= MEASURED_SHARE).to_numpy()
        ids = np.asarray(matrix.index)[complete]
        strata = regions[complete]
        results[kpi] = simulate_kpi(
            matrix.to_numpy()[complete],
            lambda run, ids=ids, strata=strata: _positional(
                assign_stratified(ids, strata, seed=seed * 100_003 + run)
            ),
            runs=runs,
            pre_weeks=pre_weeks,
            pilot_weeks=pilot_weeks,
            standardised_effect=standardised_effect,
            seed=seed,
        )
    return results


def _positional(assignment):
    """The assignment with stores as panel rows (0..n-1): ``assign_stratified`` keeps order."""
    return type(assignment)(
        np.arange(len(assignment.store_ids)),
        assignment.group,
        assignment.blocks,
        assignment.design,
        assignment.seed,
    )
