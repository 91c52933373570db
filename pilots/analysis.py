"""What a pilot shows so far: per KPI the effect, interval, p-value and pass or fail, and a
verdict in plain words that says what can and cannot be concluded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.utils import timezone

from pilots.engine.assignment import Assignment
from pilots.engine.effects import Effect, estimate, holm, sample_ratio_p_value
from pilots.engine.kpis import period_value
from pilots.models import LOWER_IS_BETTER, Kpi, KpiValue, Pilot, PilotKpi, PilotStore

ALPHA = 0.05
SAMPLE_RATIO_ALPHA = 0.001


@dataclass(frozen=True)
class KpiResult:
    kpi: str
    threshold: float
    primary: bool
    effect: Effect | None
    p_holm: float | None
    passes: bool | None  # None: not measurable yet

    @property
    def label(self) -> str:
        return Kpi(self.kpi).label


@dataclass(frozen=True)
class PilotAnalysis:
    results: list[KpiResult]
    as_of: date
    stores: int
    sample_ratio_p: float
    peeking: bool
    verdict: str


def pilot_analysis(*, pilot: Pilot, as_of: date | None = None) -> PilotAnalysis:
    """The scorecard from the stored daily KPIs, pre-period against the pilot so far."""
    as_of = min(as_of or timezone.localdate() - timedelta(days=1), pilot.end_date)
    members = list(PilotStore.objects.filter(pilot=pilot).order_by("store_id"))
    assignment = Assignment(
        store_ids=np.array([m.store_id for m in members]),
        group=np.array([m.group for m in members], dtype=np.int8),
        blocks=np.array([m.block for m in members]),
        design=pilot.design,
        seed=pilot.seed or 0,
    )
    values = pd.DataFrame(
        list(
            KpiValue.objects.filter(pilot=pilot, date__lte=as_of).values_list(
                "store_id", "kpi", "date", "numerator", "denominator"
            )
        ),
        columns=["store_id", "kpi", "date", "numerator", "denominator"],
    )
    pre = period_value(values[values["date"] < pilot.start_date])
    post = period_value(values[values["date"] >= pilot.start_date])
    results, p_values = [], []
    for kpi in PilotKpi.objects.filter(pilot=pilot):
        effect = _kpi_effect(kpi.kpi, pre, post, assignment)
        results.append((kpi, effect))
        if effect is not None:
            p_values.append(effect.p_value)
    adjusted = iter(holm(p_values)) if p_values else iter(())
    scorecard = []
    for kpi, effect in results:
        p_holm = next(adjusted) if effect is not None else None
        scorecard.append(
            KpiResult(
                kpi=kpi.kpi,
                threshold=kpi.threshold,
                primary=kpi.primary,
                effect=effect,
                p_holm=p_holm,
                passes=_passes(kpi.kpi, kpi.threshold, effect, p_holm),
            )
        )
    n_exp = int(assignment.group.sum())
    analysis_ratio = sample_ratio_p_value(n_exp, len(members) - n_exp)
    peeking = as_of < pilot.end_date
    return PilotAnalysis(
        results=scorecard,
        as_of=as_of,
        stores=len(members),
        sample_ratio_p=analysis_ratio,
        peeking=peeking,
        verdict=_verdict(pilot, scorecard, peeking, analysis_ratio),
    )


def _kpi_effect(kpi: str, pre: pd.DataFrame, post: pd.DataFrame, assignment: Assignment):
    before = pre[pre["kpi"] == kpi].set_index("store_id")["value"]
    after = post[post["kpi"] == kpi].set_index("store_id")["value"]
    keep = np.array(
        [s in before.index and s in after.index for s in assignment.store_ids], dtype=bool
    )
    group = assignment.group[keep]
    if min(np.sum(group == 1), np.sum(group == 0)) < 2:
        return None
    ids = assignment.store_ids[keep]
    subset = Assignment(ids, group, assignment.blocks[keep], assignment.design, assignment.seed)
    return estimate(after.loc[ids].to_numpy(), before.loc[ids].to_numpy(), subset, alpha=ALPHA)


def _passes(kpi: str, threshold: float, effect: Effect | None, p_holm: float | None):
    """Significant after Holm, in the right direction, and at least the threshold's size;
    the confirmed-alerts KPI is judged on the experimental group's own share."""
    if effect is None:
        return None
    if kpi == Kpi.ALERTS_CONFIRMED:
        return effect.experimental_mean >= threshold
    relative = effect.relative
    if relative is None or p_holm is None:
        return None
    better = relative <= threshold if kpi in LOWER_IS_BETTER else relative >= threshold
    return bool(better and p_holm < ALPHA)


def _verdict(pilot: Pilot, results: list[KpiResult], peeking: bool, ratio_p: float) -> str:
    measured = [r for r in results if r.passes is not None]
    if not measured:
        return "No KPI can be measured yet: the pilot needs KPI values for both groups."
    passed = [r.label for r in measured if r.passes]
    failed = [r.label for r in measured if not r.passes]
    parts = []
    if ratio_p < SAMPLE_RATIO_ALPHA:
        parts.append(
            "The groups' sizes differ from the design's split more than chance allows: stores "
            "were lost or moved, and the comparison may be biased."
        )
    if peeking:
        parts.append(
            "The pilot has not ended: these are interim figures, and stopping on them raises "
            "the chance of a false success."
        )
    if passed:
        parts.append(f"Met its threshold with significance: {', '.join(passed)}.")
    if failed:
        parts.append(
            f"Not shown to meet its threshold: {', '.join(failed)} (no effect of that size "
            "could be established; this is not proof that there is none)."
        )
    primary = next((r for r in measured if r.primary), None)
    if primary is not None:
        parts.append(
            f"On the primary KPI ({primary.label}) the pilot "
            f"{'succeeds' if primary.passes else 'does not succeed'}."
        )
    return " ".join(parts)
