"""The board pack of a pilot: what the board reads, as a PDF rendered on the server and as
an XLSX workbook, both built from one ``BoardPack`` so the two can never disagree.

The content is the scorecard of ``pilots.analysis.pilot_analysis`` (effect with its unit,
interval, p-value, pass or fail against the threshold), the verdict in plain words, the
weekly trends of both groups, the sample-ratio check and the peeking warning. Every figure
carries its unit: a board member reads a page without the product around it.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from exports.formula_safety import neutralise_formula
from masterdata.models import Company
from pilots.analysis import ALPHA, SAMPLE_RATIO_ALPHA, KpiResult, pilot_analysis
from pilots.models import LOWER_IS_BETTER, Group, Kpi, KpiValue, Pilot, PilotStore

# How each KPI's figures read: shares as % (effects in percentage points), the rest in their
# own units; ``None`` means the company's currency.
PERCENT_KPIS = frozenset(
    {
        Kpi.MAPE,
        Kpi.WAPE,
        Kpi.CYCLE_SERVICE_LEVEL,
        Kpi.FILL_RATE,
        Kpi.EXCESS_STOCK,
        Kpi.ALERTS_CONFIRMED,
    }
)
OTHER_UNITS = {
    Kpi.STOCKOUTS: "out-of-stock series per store-day",
    Kpi.TURNOVER: "turns per year",
    Kpi.COST: None,
}
PANDAS_WEEK = ("W-MON", "W-TUE", "W-WED", "W-THU", "W-FRI", "W-SAT", "W-SUN")


@dataclass(frozen=True)
class ScoreRow:
    """One KPI of the scorecard, as figures (for the workbook) and as words (for the PDF)."""

    kpi: str
    label: str
    primary: bool
    unit: str
    control: float | None
    experimental: float | None
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    relative: float | None
    p_value: float | None
    p_holm: float | None
    threshold: float
    threshold_text: str
    passes: bool | None
    outcome: str

    @property
    def control_text(self) -> str:
        return _show(self.kpi, self.control)

    @property
    def experimental_text(self) -> str:
        return _show(self.kpi, self.experimental)

    @property
    def effect_text(self) -> str:
        return _show(self.kpi, self.effect, signed=True)

    @property
    def interval_text(self) -> str:
        if self.ci_low is None or self.ci_high is None:
            return "–"
        return f"{_show(self.kpi, self.ci_low, signed=True)} to " + _show(
            self.kpi, self.ci_high, signed=True
        )

    @property
    def relative_text(self) -> str:
        return "–" if self.relative is None else f"{self.relative:+.1%}"

    @property
    def p_text(self) -> str:
        if self.p_value is None:
            return "–"
        holm = "" if self.p_holm is None else f" (Holm {self.p_holm:.3f})"
        return f"{self.p_value:.3f}{holm}"


@dataclass(frozen=True)
class Trend:
    """One KPI's weekly figure per group (pooled over the group's stores)."""

    kpi: str
    label: str
    unit: str
    weeks: list[date]
    control: list[float | None]
    experimental: list[float | None]
    svg: str


@dataclass(frozen=True)
class GroupStores:
    name: str
    stores: list[tuple[str, str, str]]  # code, name, region

    @property
    def label(self) -> str:
        return f"{self.name} ({len(self.stores)} stores)"


@dataclass(frozen=True)
class BoardPack:
    pilot: Pilot
    company: str
    currency: str
    status: str
    period: str
    pre_period: str
    design: str
    groups: list[GroupStores]
    scorecard: list[ScoreRow]
    verdict: str
    sample_ratio: str
    sample_ratio_ok: bool
    peeking: str | None
    trends: list[Trend]
    as_of: date
    generated_at: datetime

    @property
    def filename(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.pilot.name).strip("-").lower() or "pilot"
        return f"board-pack-{slug}-{self.as_of:%Y-%m-%d}"


def board_pack_build(*, pilot: Pilot, as_of: date | None = None) -> BoardPack:
    """Everything the board pack shows, from the stored daily KPIs."""
    company = Company.current()
    analysis = pilot_analysis(pilot=pilot, as_of=as_of)
    members = list(PilotStore.objects.filter(pilot=pilot).select_related("store", "store__region"))
    n_exp = sum(1 for m in members if m.group == Group.EXPERIMENTAL)
    n_ctl = len(members) - n_exp
    ratio_ok = analysis.sample_ratio_p >= SAMPLE_RATIO_ALPHA
    pre_start = pilot.start_date - timedelta(weeks=pilot.pre_period_weeks)
    return BoardPack(
        pilot=pilot,
        company=company.name,
        currency=company.currency,
        status=pilot.get_status_display(),
        period=f"{pilot.start_date:%d %b %Y} to {pilot.end_date:%d %b %Y} "
        f"({(pilot.end_date - pilot.start_date).days + 1} days)",
        pre_period=f"{pre_start:%d %b %Y} to {pilot.start_date - timedelta(days=1):%d %b %Y} "
        f"({pilot.pre_period_weeks} weeks)",
        design=_design_text(pilot),
        groups=[
            GroupStores(
                name=label,
                stores=[
                    (m.store.code, m.store.name, m.store.region.name)
                    for m in sorted(members, key=lambda m: m.store.code)
                    if m.group == value
                ],
            )
            for value, label in ((Group.EXPERIMENTAL, "Experimental"), (Group.CONTROL, "Control"))
        ],
        scorecard=[_score_row(result, company.currency) for result in analysis.results],
        verdict=analysis.verdict,
        sample_ratio=(
            f"{n_exp} experimental and {n_ctl} control stores against the design's even "
            f"split: p = {analysis.sample_ratio_p:.3f}. "
            + (
                "The split is as designed."
                if ratio_ok
                else "The split differs more than chance allows: stores were lost or moved, "
                "and the comparison may be biased."
            )
        ),
        sample_ratio_ok=ratio_ok,
        peeking=(
            f"Interim figures: the pilot runs until {pilot.end_date:%d %b %Y} and this pack "
            f"reads it on {analysis.as_of:%d %b %Y}. Deciding on interim figures raises the "
            "chance of a false success; wait for the end."
            if analysis.peeking
            else None
        ),
        trends=_trends(pilot, analysis.as_of, company, [r.kpi for r in analysis.results]),
        as_of=analysis.as_of,
        generated_at=timezone.now(),
    )


def _design_text(pilot: Pilot) -> str:
    text = pilot.get_design_display()
    if pilot.strata:
        text += f" by {', '.join(s.replace('_', '-') for s in pilot.strata)}"
    if pilot.seed is not None:
        text += f", random seed {pilot.seed} (the same seed redraws the same groups)"
    return text


def _unit(kpi: str, currency: str) -> str:
    if kpi in PERCENT_KPIS:
        return "%"
    unit = OTHER_UNITS.get(kpi)
    return f"{currency} per store-day" if unit is None else unit


def _show(kpi: str, value: float | None, *, signed: bool = False) -> str:
    """A figure in the KPI's unit; effects (``signed``) of shares in percentage points."""
    if value is None or not math.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    if kpi in PERCENT_KPIS:
        return f"{value * 100:{sign}.1f} {'pts' if signed else '%'}"
    return f"{value:{sign},.2f}"


def _threshold_text(kpi: str, threshold: float) -> str:
    if kpi == Kpi.ALERTS_CONFIRMED:
        return f"at least {threshold:.0%} confirmed"
    direction = "lower" if kpi in LOWER_IS_BETTER else "higher"
    return f"{abs(threshold):.0%} {direction} than control"


def _score_row(result: KpiResult, currency: str) -> ScoreRow:
    effect = result.effect
    if result.passes is None:
        outcome = "Not measurable yet"
    elif result.passes:
        outcome = "Pass"
    else:
        outcome = "Not shown"
    return ScoreRow(
        kpi=result.kpi,
        label=result.label,
        primary=result.primary,
        unit=_unit(result.kpi, currency),
        control=effect.control_mean if effect else None,
        experimental=effect.experimental_mean if effect else None,
        effect=effect.effect if effect else None,
        ci_low=float(effect.ci_low) if effect else None,
        ci_high=float(effect.ci_high) if effect else None,
        relative=effect.relative if effect else None,
        p_value=effect.p_value if effect else None,
        p_holm=result.p_holm,
        threshold=result.threshold,
        threshold_text=_threshold_text(result.kpi, result.threshold),
        passes=result.passes,
        outcome=outcome,
    )


def _trends(pilot: Pilot, as_of: date, company: Company, kpis: list[str]) -> list[Trend]:
    """Weekly figures of both groups over the pre-period and the pilot, in the company's
    weeks: each week's numerators over its denominators, pooled over a group's stores."""
    rows = pd.DataFrame(
        list(
            KpiValue.objects.filter(pilot=pilot, kpi__in=kpis, date__lte=as_of).values_list(
                "store_id", "kpi", "date", "numerator", "denominator"
            )
        ),
        columns=["store_id", "kpi", "date", "numerator", "denominator"],
    )
    if rows.empty:
        return []
    groups = dict(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group"))
    rows["group"] = rows["store_id"].map(groups)
    rows["week"] = pd.to_datetime(rows["date"]).dt.to_period(PANDAS_WEEK[company.week_ends_on])
    sums = rows.groupby(["kpi", "week", "group"])[["numerator", "denominator"]].sum()
    sums = sums[sums["denominator"] > 0]
    values = (sums["numerator"] / sums["denominator"]).unstack("group")
    start_week = pd.Period(pilot.start_date, freq=PANDAS_WEEK[company.week_ends_on])
    trends = []
    labels = dict(Kpi.choices)
    for kpi in kpis:
        if kpi not in values.index.get_level_values("kpi"):
            continue
        weekly = values.loc[kpi].sort_index()
        weeks = [period.end_time.date() for period in weekly.index]
        series = {
            g: [_finite(v) for v in weekly.get(g, pd.Series(index=weekly.index, dtype=float))]
            for g in (Group.CONTROL, Group.EXPERIMENTAL)
        }
        start_at = next((i for i, p in enumerate(weekly.index) if p >= start_week), None)
        scale = 100.0 if kpi in PERCENT_KPIS else 1.0
        trends.append(
            Trend(
                kpi=kpi,
                label=labels[kpi],
                unit=_unit(kpi, company.currency),
                weeks=weeks,
                control=series[Group.CONTROL],
                experimental=series[Group.EXPERIMENTAL],
                svg=trend_svg(
                    weeks,
                    [None if v is None else v * scale for v in series[Group.CONTROL]],
                    [None if v is None else v * scale for v in series[Group.EXPERIMENTAL]],
                    start_at=start_at,
                    unit=_unit(kpi, company.currency),
                ),
            )
        )
    return trends


def _finite(value) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 200, 56, 12, 14, 30
CONTROL_COLOUR, EXPERIMENTAL_COLOUR = "#6b7280", "#1d4ed8"


def trend_svg(
    weeks: list[date],
    control: list[float | None],
    experimental: list[float | None],
    *,
    start_at: int | None,
    unit: str,
) -> str:
    """A line chart of both groups by week, the pilot's start marked, as inline SVG (so the
    PDF needs no browser and no chart library). Values are already in display units."""
    known = [v for v in (*control, *experimental) if v is not None]
    if not weeks or not known:
        return ""
    low, high = min(known), max(known)
    pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    low, high = low - pad, high + pad
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max((weeks[-1] - weeks[0]).days, 1)
    step = inner_w * 7 / span

    def x(i: int) -> float:
        """Placed by date, so a week without figures keeps its place on the axis."""
        return LEFT + inner_w * (weeks[i] - weeks[0]).days / span

    def y(v: float) -> float:
        return TOP + inner_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="10">',
        f'<rect x="{LEFT}" y="{TOP}" width="{inner_w}" height="{inner_h}" fill="none" '
        'stroke="#d1d5db"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        value = low + (high - low) * fraction
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(value) + 3:.1f}" text-anchor="end" fill="#374151">'
            f"{value:,.1f}</text>"
        )
    parts.append(
        f'<text x="4" y="{TOP + inner_h / 2:.1f}" fill="#374151" '
        f'transform="rotate(-90 8 {TOP + inner_h / 2:.1f})" text-anchor="middle">'
        f"{escape(unit)}</text>"
    )
    label_every = max(len(weeks) // 6, 1)
    for i, week in enumerate(weeks):
        if i % label_every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
                f'fill="#374151">{week:%d %b}</text>'
            )
    if start_at is not None:
        sx = x(start_at) - step / 2 if start_at else x(0)
        parts.append(
            f'<line x1="{sx:.1f}" y1="{TOP}" x2="{sx:.1f}" y2="{TOP + inner_h}" '
            'stroke="#b91c1c" stroke-dasharray="4 3"/>'
            f'<text x="{sx + 3:.1f}" y="{TOP + 10}" fill="#b91c1c">pilot starts</text>'
        )
    for values, colour in ((control, CONTROL_COLOUR), (experimental, EXPERIMENTAL_COLOUR)):
        for segment in _segments(values):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.8"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _segments(values: list[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of known values: a week without figures breaks the line instead of bridging."""
    segments, current = [], []
    for i, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((i, value))
    if current:
        segments.append(current)
    return segments


def board_pack_html(pack: BoardPack) -> str:
    return render_to_string("pilots/board_pack.html", {"pack": pack, "alpha": ALPHA})


def board_pack_pdf(pack: BoardPack) -> bytes:
    """The pack as a PDF, rendered on the server by WeasyPrint (Pango and Cairo from the
    system: ``scripts/ensure-pdf-libs.sh`` installs them)."""
    from weasyprint import HTML  # imported here: loading Pango costs a second per process

    return HTML(string=board_pack_html(pack)).write_pdf()


def board_pack_xlsx(pack: BoardPack) -> bytes:
    """The pack as a workbook: a summary sheet (pilot, verdict, checks, scorecard with its
    numbers), the groups' stores, and the weekly trends, numbers as numbers with their units
    in the headers. No text cell can run as a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    summary = book.add_worksheet("Scorecard")
    summary.set_column(0, 0, 34)
    summary.set_column(1, 12, 16)
    facts = [
        ("Pilot", pack.pilot.name),
        ("Company", pack.company),
        ("Status", pack.status),
        ("Period", pack.period),
        ("Pre-period", pack.pre_period),
        ("Design", pack.design),
        ("Figures as of", pack.as_of),
        ("Verdict", pack.verdict),
        ("Sample-ratio check", pack.sample_ratio),
        ("Peeking", pack.peeking or "Read after the pilot's end: final figures."),
    ]
    for row, (name, value) in enumerate(facts):
        summary.write(row, 0, name, bold)
        summary.write(row, 1, _text(value) if isinstance(value, str) else value, wrap)
    header_row = len(facts) + 1
    headers = [
        "KPI",
        "Primary",
        "Unit",
        "Control",
        "Experimental",
        "Effect (experimental − control)",
        "Interval low (95 %)",
        "Interval high (95 %)",
        "Effect relative to control",
        "p-value (permutation)",
        "p-value (Holm)",
        "Threshold",
        "Outcome",
    ]
    summary.write_row(header_row, 0, headers, bold)
    for offset, score in enumerate(pack.scorecard, start=1):
        summary.write_row(
            header_row + offset,
            0,
            [
                _text(score.label),
                "yes" if score.primary else "",
                _text(_sheet_unit(score)),
                *(_sheet_value(score.kpi, v) for v in (score.control, score.experimental)),
                *(_sheet_value(score.kpi, v) for v in (score.effect, score.ci_low, score.ci_high)),
                score.relative,
                score.p_value,
                score.p_holm,
                _text(score.threshold_text),
                score.outcome,
            ],
        )
    groups = book.add_worksheet("Groups")
    groups.write_row(0, 0, ["Group", "Store code", "Store", "Region"], bold)
    row = 1
    for group in pack.groups:
        for code, name, region in group.stores:
            groups.write_row(row, 0, [group.name, *map(_text, (code, name, region))])
            row += 1
    trends = book.add_worksheet("Weekly trends")
    trends.write_row(0, 0, ["KPI", "Unit", "Week ending", "Control", "Experimental"], bold)
    row = 1
    for trend in pack.trends:
        unit = "percent" if trend.kpi in PERCENT_KPIS else trend.unit
        for week, control, experimental in zip(
            trend.weeks, trend.control, trend.experimental, strict=True
        ):
            trends.write_row(
                row,
                0,
                [
                    _text(trend.label),
                    _text(unit),
                    week,
                    _sheet_value(trend.kpi, control),
                    _sheet_value(trend.kpi, experimental),
                ],
            )
            row += 1
    book.close()
    return out.getvalue()


def _text(value: str) -> str:
    return neutralise_formula(value)


def _sheet_unit(score: ScoreRow) -> str:
    return "percent (effects in points)" if score.kpi in PERCENT_KPIS else score.unit


def _sheet_value(kpi: str, value: float | None) -> float | None:
    """Shares as percent in the sheet, as on the PDF."""
    if value is None or not math.isfinite(value):
        return None
    return value * 100 if kpi in PERCENT_KPIS else value
