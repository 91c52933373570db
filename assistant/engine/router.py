"""Which tools the template fallback runs for a question, read from the question alone.

When no model is available the assistant still answers: keywords (English and Russian) pick
the tools, and the regions, categories, stores and SKUs the user can see are matched in the
question by code or name. Only the asker's own words steer the choice; text stored in the
data (SKU names, comments) is matched *against*, never read as instructions, so a prompt
injection planted in the data cannot change which tools run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

KINDS = ("region", "category", "store", "sku")


@dataclass(frozen=True)
class Member:
    kind: str
    code: str
    name: str


@dataclass(frozen=True)
class PlannedCall:
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


INTENTS: dict[str, tuple[str, ...]] = {
    "chart": ("chart", "plot", "graph", "draw", "график", "диаграмм", "нарисуй", "построй"),
    "stockout": (
        "run out",
        "running out",
        "stock-out",
        "stockout",
        "out of stock",
        "replenish",
        "reorder",
        "закончится",
        "закончатся",
        "кончится",
        "кончатся",
        "законч",
        "дефицит",
        "нехватк",
        "пополнен",
        "дозаказ",
    ),
    "alerts": ("alert", "anomal", "аномал", "алерт", "тревог", "предупрежден", "оповещен"),
    "forecast": ("forecast", "прогноз"),
    "planning": (
        "s&op",
        "planning cycle",
        "the plan",
        "our plan",
        "plan ",
        "cycle",
        "meeting",
        "консенсус",
        "план",
        "цикл",
        "совещан",
    ),
    "pilot": ("pilot", "experiment", "пилот", "эксперимент"),
    "sales": (
        "sold",
        "sales",
        "sell",
        "revenue",
        "turnover",
        "продаж",
        "продал",
        "продан",
        "выручк",
    ),
    "find": ("find ", "look up", "which stores", "which skus", "найди", "найти", "какие магазины"),
    "briefing": ("briefing", "summary for the meeting", "сводк", "брифинг"),
}

PERIOD_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("this_year", ("this year", "year to date", "этом году", "этого года", "с начала года")),
    ("last_year", ("last year", "прошлом году", "прошлый год", "прошлого года")),
    ("last_month", ("last month", "прошлом месяце", "прошлый месяц", "прошлого месяца")),
    ("this_month", ("this month", "этом месяце", "этого месяца", "текущем месяце")),
    ("last_13_weeks", ("quarter", "13 weeks", "квартал", "13 недел")),
    ("last_52_weeks", ("52 weeks", "12 months", "past year", "last 12", "12 месяц", "52 недел")),
    (
        "last_7_days",
        (
            "last week",
            "past week",
            "7 days",
            "прошлой неделе",
            "прошлую неделю",
            "за неделю",
            "7 дней",
        ),
    ),
    ("last_4_weeks", ("4 weeks", "four weeks", "28 days", "4 недели", "28 дней")),
)

HORIZON_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (28, ("next month", "next 4 weeks", "next four weeks", "следующий месяц", "4 недели")),
    (14, ("next two weeks", "next 2 weeks", "fortnight", "две недели", "2 недели")),
    (
        7,
        (
            "next week",
            "this week",
            "7 days",
            "следующей неделе",
            "следующую неделю",
            "на неделе",
            "неделю",
        ),
    ),
)

GROUP_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("region", ("by region", "per region", "each region", "по регионам", "по региону")),
    ("category", ("by category", "per category", "each category", "по категориям")),
    ("store", ("by store", "per store", "each store", "по магазинам")),
    (
        "sku",
        (
            "by sku",
            "per sku",
            "top sku",
            "best-selling",
            "best selling",
            "по товарам",
            "по sku",
            "лучшие товары",
            "топ",
        ),
    ),
)

COMPARE_WORDS = (
    "against last year",
    "vs last year",
    "versus last year",
    "compared to last year",
    "than last year",
    "с прошлым годом",
    "против прошлого года",
    "к прошлому году",
)

# Words that start many store names without naming one ("Store 12", "Supermarket Leeds").
GENERIC_STORE_WORDS = {
    "store",
    "shop",
    "supermarket",
    "hypermarket",
    "convenience",
    "outlet",
    "магазин",
    "супермаркет",
    "гипермаркет",
}

STORE_NUMBER = re.compile(r"(?:store|shop|магазин[а-я]*)\s*(?:no\.?|#|№)?\s*(\d{1,6})\b")


def _normalised(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def is_russian(text: str) -> bool:
    """Whether the question is written in Cyrillic (the answer then is in Russian)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum("а" <= c.lower() <= "я" or c in "ёЁ" for c in letters) * 2 >= len(
        letters
    )


def _contains_word(text: str, phrase: str) -> bool:
    phrase = _normalised(phrase)
    if not phrase:
        return False
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def match_members(question: str, members: list[Member]) -> dict[str, Member]:
    """The region, category, store and SKU named in the question (code, full name, a store's
    number, or the first word of a store's name when that word is its own); longest first."""
    text = _normalised(question)
    found: dict[str, Member] = {}
    candidates: list[tuple[int, Member]] = []
    first_words: dict[str, list[Member]] = {}
    for member in members:
        for phrase in (member.code, member.name):
            if len(phrase) >= 2 and _contains_word(text, phrase):
                candidates.append((len(phrase), member))
        if member.kind == "store" and member.name:
            word = _normalised(member.name).split()[0]
            if len(word) >= 4 and word not in GENERIC_STORE_WORDS:
                first_words.setdefault(word, []).append(member)
    for word, stores in first_words.items():
        if len(stores) == 1 and _contains_word(text, word):
            candidates.append((len(word), stores[0]))
    number = STORE_NUMBER.search(text)
    if number:
        wanted = int(number.group(1))
        for member in members:
            digits = re.search(r"(\d+)$", member.code)
            if member.kind == "store" and digits and int(digits.group(1)) == wanted:
                candidates.append((len(number.group(0)), member))
    for _, member in sorted(candidates, key=lambda c: -c[0]):
        found.setdefault(member.kind, member)
    return found


def _first(text: str, table) -> Any:
    return next((value for value, words in table if any(w in text for w in words)), None)


def detect_intents(question: str) -> list[str]:
    text = _normalised(question) + " "
    return [intent for intent, words in INTENTS.items() if any(w in text for w in words)]


def chart_spec_for(question: str, found: dict[str, Member]) -> dict[str, Any]:
    """A chart specification (raw, validated later like the model's) read from the question."""
    text = _normalised(question)
    if "forecast" in text or "прогноз" in text:
        measure, period = "forecast_units", "next_4_weeks"
    else:
        measure = (
            "sales_value"
            if any(w in text for w in ("revenue", "value", "выручк", "стоимост", "деньг"))
            else "sales_units"
        )
        named = _first(text, PERIOD_WORDS)
        period = {
            "this_year": "this_year",
            "last_year": "last_year",
            "last_52_weeks": "last_52_weeks",
            "last_7_days": "last_4_weeks",
            "last_4_weeks": "last_4_weeks",
            "last_month": "last_4_weeks",
            "this_month": "last_4_weeks",
        }.get(named, "last_13_weeks")
    grain = (
        "day"
        if any(w in text for w in ("daily", "by day", "по дням", "ежедневн"))
        else "month"
        if any(w in text for w in ("monthly", "by month", "по месяцам", "помесячн"))
        else "week"
    )
    dimensions = [grain]
    group = _first(text, GROUP_WORDS)
    if group:
        dimensions.append(group)
    chart_type = (
        "stacked_bar"
        if "stacked" in text or "накоплен" in text
        else "bar"
        if any(w in text for w in ("bar", "столбч", "гистограм"))
        else "line"
    )
    compare = measure != "forecast_units" and (
        any(w in text for w in COMPARE_WORDS)
        or ("last year" in text and "this year" in text)
        or ("прошл" in text and "год" in text and ("сравн" in text or "против" in text))
    )
    if compare and period == "last_year":
        period = "this_year"
    spec: dict[str, Any] = {
        "measure": measure,
        "dimensions": dimensions,
        "period": period,
        "chart_type": chart_type,
        "compare_last_year": compare,
    }
    filters = {kind: [member.code] for kind, member in found.items() if kind != group}
    if filters:
        spec["filters"] = filters
    return spec


def plan_calls(question: str, members: list[Member]) -> list[PlannedCall]:
    """The tool calls that answer ``question`` from templates, in the order to narrate them."""
    text = _normalised(question) + " "
    intents = detect_intents(question)
    found = match_members(question, members)
    narrowed = {kind: member.code for kind, member in found.items()}
    if "chart" in intents:
        return [PlannedCall("make_chart", {"spec": chart_spec_for(question, found)})]
    calls: list[PlannedCall] = []
    horizon = _first(text, HORIZON_WORDS)
    if "briefing" in intents:
        return [
            PlannedCall("planning_status"),
            PlannedCall("sales_summary", {"period": "last_4_weeks", **narrowed}),
            PlannedCall("stockout_risk", dict(narrowed)),
            PlannedCall("open_alerts", dict(narrowed)),
        ]
    if "stockout" in intents:
        args = dict(narrowed)
        if horizon:
            args["within_days"] = horizon
        calls.append(PlannedCall("stockout_risk", args))
    if "alerts" in intents:
        calls.append(PlannedCall("open_alerts", dict(narrowed)))
    if "forecast" in intents:
        calls.append(PlannedCall("forecast_outlook", {"days": horizon or 7, **narrowed}))
    if "pilot" in intents:
        calls.append(PlannedCall("pilot_scorecard"))
    if "planning" in intents and not calls:
        calls.append(PlannedCall("planning_status"))
    if "find" in intents and not calls and not found:
        kind = "sku" if any(w in text for w in ("sku", "product", "товар", "артикул")) else "store"
        words = [w for w in re.findall(r"[\w-]{3,}", question) if w.lower() not in _STOP]
        calls.append(
            PlannedCall("find_master_data", {"kind": kind, "query": words[-1] if words else ""})
        )
    if "sales" in intents or not calls:
        args: dict[str, Any] = {"period": _first(text, PERIOD_WORDS) or "last_4_weeks", **narrowed}
        group = _first(text, GROUP_WORDS)
        if group and group not in narrowed:
            args["group_by"] = group
        calls.append(PlannedCall("sales_summary", args))
    return calls


_STOP = {
    "find",
    "look",
    "store",
    "stores",
    "sku",
    "skus",
    "product",
    "the",
    "which",
    "called",
    "named",
    "найди",
    "найти",
    "магазин",
    "товар",
    "артикул",
    "какие",
    "магазины",
}
