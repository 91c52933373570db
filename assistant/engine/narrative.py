"""The grounded narrative: an answer written by templates from tool results alone.

Used when no model answers (the default on a fresh machine) and whenever the model's reply
cannot be trusted. Every number printed here is a tool's figure, formatted one way
(``format_value``) so the evaluation can find it again. Names from the data are quoted as
data; nothing in them is interpreted.
"""

from __future__ import annotations

import re
from typing import Any

TEXTS = {
    "en": {
        "intro": "From the figures I could read:",
        "no_data": "I found no figures for this in what you can see.",
        "refused": "Not answered: {error}",
        "positions": "At risk: {items}.",
        "alerts": "Largest: {items}.",
        "rows": "Breakdown: {items}.",
        "movers": "Largest increases: {items}.",
        "matches": "Matches: {items}.",
        "pilot": "Pilot «{pilot}» ({stores} stores, as of {as_of}): {verdict}",
        "chart": "Chart «{title}» drawn: {items}.",
        "cycle": "Cycle {cycle} is at stage «{stage}».",
        "period": "Period {start} to {end}.",
        "covers": "Covers: {what}.",
        "days": "days of cover",
        "risk": "stock-out risk",
        "everything": "everything you can see",
    },
    "ru": {
        "intro": "По данным, которые мне доступны:",
        "no_data": "В доступных вам данных цифр по этому вопросу нет.",
        "refused": "Без ответа: {error}",
        "positions": "Под риском: {items}.",
        "alerts": "Крупнейшие: {items}.",
        "rows": "Разбивка: {items}.",
        "movers": "Сильнее всего выросли: {items}.",
        "matches": "Найдено: {items}.",
        "pilot": "Пилот «{pilot}» ({stores} магазинов, на {as_of}): {verdict}",
        "chart": "Построен график «{title}»: {items}.",
        "cycle": "Цикл {cycle} на этапе «{stage}».",
        "period": "Период с {start} по {end}.",
        "covers": "Охват: {what}.",
        "days": "дн. запаса",
        "risk": "риск дефицита",
        "everything": "всё, что вам доступно",
    },
}

LABELS_RU = {
    "units": "Продано, шт.",
    "value": "Выручка",
    "units_vs_last_year_pct": "К тем же неделям прошлого года",
    "forecast_units": "Прогноз",
    "sold_units": "Продано за предыдущие дни",
    "change_pct": "Прогноз к предыдущим дням",
    "at_risk": "Позиции под риском дефицита",
    "proposals": "Открытые предложения по пополнению",
    "proposal_units": "Предложено, шт.",
    "proposal_cost": "Стоимость предложений",
    "open": "Открытые алерты во входящих",
    "high": "Из них высокой важности",
    "at_stake": "Под угрозой",
    "plan_units": "План",
    "statistical_units": "Статистический прогноз",
    "vs_statistical_units": "План к статистическому прогнозу",
    "plan_value": "План в деньгах",
    "vs_last_year_units": "План к прошлому году",
    "pilots": "Найдено пилотов",
    "matches": "Найдено",
}

UNITS_RU = {"units": "шт.", "%": "%"}

MESSAGES_RU = {
    "No sales in your scope yet.": "В доступных вам данных продаж пока нет.",
    "No daily forecast has been run yet.": "Дневной прогноз ещё не рассчитан.",
    "No inventory policies in your scope yet (run the inventory plan).": (
        "Политик запасов в доступных вам данных пока нет (запустите план запасов)."
    ),
    "No planning cycle has been opened yet.": "Цикл планирования ещё не открыт.",
}

TITLES = {
    "en": {
        "find_master_data": "Search",
        "sales_summary": "Sales",
        "forecast_outlook": "Forecast",
        "stockout_risk": "Stock-outs and replenishment",
        "open_alerts": "Alerts",
        "planning_status": "S&OP cycle",
        "pilot_scorecard": "Pilots",
        "make_chart": "Chart",
    },
    "ru": {
        "find_master_data": "Поиск",
        "sales_summary": "Продажи",
        "forecast_outlook": "Прогноз",
        "stockout_risk": "Дефицит и пополнение",
        "open_alerts": "Алерты",
        "planning_status": "Цикл S&OP",
        "pilot_scorecard": "Пилоты",
        "make_chart": "График",
    },
}


def format_value(value: float | int | None, unit: str = "", lang: str = "en") -> str:
    """One number as answers print it: thousands grouped, at most one decimal (two for small
    amounts), the unit after it. The same format is searched for by the evaluation."""
    if value is None:
        return "—" if lang == "en" else "нет данных"
    number = float(value)
    if number == int(number) and abs(number) < 1e15:
        text = f"{int(number):,}"
    elif abs(number) >= 100:
        text = f"{number:,.0f}"
    else:
        text = f"{number:,.1f}"
    if lang == "ru":
        text = text.replace(",", " ").replace(".", ",")
    shown_unit = UNITS_RU.get(unit, unit) if lang == "ru" else unit
    if unit == "%":
        sign = "+" if number > 0 else ""
        return f"{sign}{text} %"
    return f"{text} {shown_unit}".strip()


def _items(rows: list[dict[str, Any]], render, limit: int = 5) -> str:
    """Up to ``limit`` rows, without a final full stop (the sentence adds its own)."""
    return "; ".join(render(row) for row in rows[:limit]).rstrip(".")


def _quoted(text: object) -> str:
    """Data text shown as a quotation, on one line, without markup."""
    return "«" + re.sub(r"\s+", " ", str(text)).strip()[:80] + "»"


def _fact_lines(result: dict[str, Any], lang: str) -> list[str]:
    lines = []
    for fact in result.get("facts", []):
        label = LABELS_RU.get(fact["key"], fact["label"]) if lang == "ru" else fact["label"]
        if fact["key"].startswith("series_"):
            continue
        lines.append(f"- {label}: {format_value(fact['value'], fact['unit'], lang)}")
    return lines


def _details(result: dict[str, Any], lang: str) -> list[str]:
    t = TEXTS[lang]
    data = result.get("data", {})
    lines = []
    if "message" in data:
        message = data["message"]
        lines.append(MESSAGES_RU.get(message, message) if lang == "ru" else message)
    if "narrowed_to" in data:
        narrowed = data["narrowed_to"]
        what = "; ".join(_quoted(v) for v in narrowed.values()) if narrowed else t["everything"]
        lines.append(t["covers"].format(what=what))
    period = data.get("period")
    if isinstance(period, dict):
        lines.append(t["period"].format(start=period["from"], end=period["to"]))
    if "cycle" in data:
        lines.append(t["cycle"].format(cycle=_quoted(data["cycle"]), stage=data["stage"]))
    if data.get("rows"):
        lines.append(
            t["rows"].format(
                items=_items(
                    data["rows"],
                    lambda r: (
                        f"{r['code']} {_quoted(r['name'])} "
                        f"{format_value(r['units'], 'units', lang)}"
                    ),
                )
            )
        )
    if data.get("largest_increases"):
        lines.append(
            t["movers"].format(
                items=_items(
                    data["largest_increases"],
                    lambda r: (
                        f"{r['sku']} {_quoted(r['name'])} "
                        f"{format_value(r['change'], 'units', lang)}"
                    ),
                    limit=3,
                )
            )
        )
    if data.get("positions"):
        lines.append(
            t["positions"].format(
                items=_items(
                    data["positions"],
                    lambda r: (
                        f"{r['sku']} {_quoted(r['sku_name'])} @ {r['store']} "
                        f"({format_value(r['cover_days'], t['days'], lang)}, {t['risk']} "
                        f"{format_value(r['risk_pct'], '%', lang).lstrip('+')})"
                    ),
                )
            )
        )
    if data.get("alerts"):
        lines.append(
            t["alerts"].format(
                items=_items(
                    data["alerts"],
                    lambda r: f"#{r['id']} {r['kind']} {r['store']} {r['sku']}".strip(),
                    limit=3,
                )
            )
        )
    if data.get("matches"):
        lines.append(
            t["matches"].format(
                items=_items(data["matches"], lambda r: f"{r['code']} {_quoted(r['name'])}", 10)
            )
        )
    for card in data.get("pilots", []):
        lines.append(t["pilot"].format(**card))
        for kpi in card["kpis"]:
            lines.append(f"  - {kpi['kpi']}: {format_value(kpi['effect_pct'], '%', lang)}")
    chart = data.get("chart")
    if chart:
        lines.append(
            t["chart"].format(
                title=chart["title"],
                items=_items(
                    chart["series"],
                    lambda s: f"{s['name']} {format_value(s['total'], s['unit'], lang)}",
                    limit=12,
                ),
            )
        )
    return lines


def compose(results: list[dict[str, Any]], *, lang: str = "en") -> str:
    """The narrative for ``results`` (each as ``ToolResult.for_model()``), in ``lang``."""
    t = TEXTS[lang]
    blocks = []
    for result in results:
        if "error" in result:
            blocks.append(t["refused"].format(error=result["error"]))
            continue
        lines = _fact_lines(result, lang) + _details(result, lang)
        if lines:
            title = TITLES[lang].get(result.get("tool", ""), "")
            blocks.append("\n".join(([f"{title}:"] if title else []) + lines))
    if not blocks:
        return t["no_data"]
    return t["intro"] + "\n" + "\n".join(blocks)
