"""Plain words for the order plan: why each line is ordered, and what keeps a plan short.

Kept apart from the program so the wording can change without touching the model, and so
the numbers a planner reads are formatted one way (thousands separators, the currency).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inventory.engine.order_plan_problem import OrderPlanProblem

_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def money(amount: float, currency: str) -> str:
    """``€8,210`` for EUR; an unknown code is written before the amount (``CHF 8,210``)."""
    symbol = _CURRENCY_SYMBOLS.get(currency)
    number = f"{amount:,.0f}"
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


def _units(amount: float) -> str:
    value = round(amount)
    return f"{value:,} unit" if value == 1 else f"{value:,} units"


@dataclass(frozen=True)
class BindingSlack:
    """One constraint the elastic program had to stretch: which, where, when, by how much.

    ``kind``: ``budget``, ``store_capacity``, ``warehouse_capacity``, ``store_moq`` or
    ``warehouse_moq``; ``location`` and ``sku`` are positions in the problem's frames.
    ``amount`` is in currency for the budget and in units otherwise; ``limit`` is the
    constraint's value (the budget, the capacity, the MOQ).
    """

    kind: str
    location: int | None
    sku: int | None
    period: int
    amount: float
    limit: float


def _location_name(problem: OrderPlanProblem, kind: str, position: int) -> str:
    frame = problem.stores if kind.startswith("store") else problem.warehouses
    noun = "Store" if kind.startswith("store") else "Warehouse"
    name = frame["name"].iloc[position] if "name" in frame else ""
    return f"{noun} {name}".strip() if name else f"{noun} {frame.index[position]}"


def _sku_name(problem: OrderPlanProblem, position: int) -> str:
    if "name" in problem.skus:
        return str(problem.skus["name"].iloc[position])
    return f"SKU {problem.skus.index[position]}"


def _sentence(problem: OrderPlanProblem, slack: BindingSlack) -> str:
    when = problem.label(slack.period)
    if slack.kind == "budget":
        return (
            f"Budget of {when} ({money(slack.limit, problem.currency)}) is "
            f"{money(slack.amount, problem.currency)} short of the orders needed to keep "
            f"stores from running out: raise it to "
            f"{money(slack.limit + slack.amount, problem.currency)} or accept lost sales."
        )
    if slack.kind.endswith("capacity"):
        where = _location_name(problem, slack.kind, slack.location)
        return (
            f"{where} can hold {_units(slack.limit)} but needs room for "
            f"{_units(slack.limit + slack.amount)} in {when} ({_units(slack.amount)} over) "
            f"to keep stores from running out: raise its capacity to "
            f"{_units(slack.limit + slack.amount)} or accept lost sales."
        )
    where = _location_name(problem, slack.kind, slack.location)
    smaller = max(slack.limit - slack.amount, 0)
    return (
        f"The minimum order of {_units(slack.limit)} of {_sku_name(problem, slack.sku)} "
        f"for {where} in {when} is {_units(slack.amount)} more than the budget and space "
        f"allow: agree a minimum of {_units(smaller)} with the supplier or accept lost sales."
    )


def binding_explanation(
    problem: OrderPlanProblem,
    slacks: list[BindingSlack],
    *,
    lost_units: float,
    approximate: bool = False,
) -> str:
    """The binding constraints, largest first (budget in currency, others by unit cost).

    ``lost_units``: the demand the plan loses that the stretched constraints would save;
    ``approximate``: the amounts come from the linear relaxation (whole cases and minimum
    orders aside), so they are the least the constraints must stretch.
    """
    mean_cost = float(problem.skus["unit_cost"].mean() or 1.0)

    def weight(slack: BindingSlack) -> float:
        return slack.amount if slack.kind == "budget" else slack.amount * mean_cost

    ordered = sorted(slacks, key=weight, reverse=True)
    shown = [_sentence(problem, s) for s in ordered[:5]]
    if len(ordered) > 5:
        shown.append(f"…and {len(ordered) - 5} more constraints of the same kind.")
    if lost_units > 0.5:
        shown.append(
            f"Within these limits the plan loses {_units(lost_units)} of demand that more room "
            f"would have served."
        )
    if approximate:
        shown.append(
            "(Amounts from the linear relaxation, whole cases and minimum orders aside: "
            "the least each limit must rise.)"
        )
    return " ".join(shown)


def _period_span(problem: OrderPlanProblem, first: int, last: int) -> str:
    if first == last:
        return problem.label(first)
    if not problem.period_labels:
        return f"weeks {first + 1}–{last + 1}"
    return f"{problem.label(first)} to {problem.label(last)}"


def line_reason(
    problem: OrderPlanProblem,
    *,
    projected: float,
    safety_stock: float,
    arrival: int,
    next_arrival: int,
    cases: int,
    pack: int,
    moq: float | None,
    serves: str,
) -> str:
    """Why a line: the projected stock it lifts, and the periods its cases cover.

    ``projected``: stock at the end of the arrival period without this line (negative: the
    shortfall); ``serves``: what the stock is for ("demand", "store shipments").
    """
    covered = _period_span(problem, arrival, max(arrival, next_arrival - 1))
    case_word = "case" if cases == 1 else "cases"
    order = f"{cases:,} {case_word} of {pack:,}"
    if moq is not None and moq > pack:
        order += f" (MOQ {moq:,.0f})"
    when = problem.label(arrival)
    if projected < 0:
        why = f"Projected stock runs {_units(-projected)} short of {serves} in {when}"
    elif projected < safety_stock:
        why = (
            f"Projected stock {_units(projected)} falls below the safety stock of "
            f"{safety_stock:,.0f} in {when}"
        )
    else:
        why = (
            f"Ordered ahead: projected stock {_units(projected)} in {when} would not last to "
            f"the next order"
        )
    verb = "covers" if cases == 1 else "cover"
    return f"{why}; {order} {verb} {covered}."
