"""The navigation each role sees. A link appears only for roles whose views accept it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from accounts.models import Role
from accounts.roles import user_roles

ALL = frozenset({Role.PLANNER, Role.ADMIN, Role.EXECUTIVE})
PLANNING = frozenset({Role.PLANNER, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})
PILOT_READERS = frozenset({Role.ADMIN, Role.EXECUTIVE})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", ALL),
    NavItem("Data overview", "masterdata:overview", ALL),
    NavItem("Stores", "masterdata:store_list", ALL),
    NavItem("SKUs", "masterdata:sku_list", ALL),
    NavItem("Forecasts", "forecasting:explorer", PLANNING),
    NavItem("Forecast table", "forecasting:forecast_list", ALL),
    NavItem("Accuracy", "forecasting:accuracy", ALL),
    NavItem("Exceptions", "forecasting:accuracy_exceptions", ALL),
    NavItem("S&OP cycle", "planning:cycles", ALL),
    NavItem("Approvals", "planning:approvals", ALL),
    NavItem("Replenishment", "inventory:worklist", ALL),
    NavItem("Inventory", "inventory:health", ALL),
    NavItem("Alerts", "anomalies:inbox", ALL),
    NavItem("Pilots", "pilots:list", PILOT_READERS),
    NavItem("Import", "imports:upload", ADMIN),
    NavItem("Jobs", "jobs:list", ADMIN),
    NavItem("Users", "accounts:users", ADMIN),
    NavItem("Audit log", "audit:list", ADMIN),
)


def nav_for(user) -> list[dict[str, str]]:
    """The links ``user`` may follow; every URL name must exist (a typo fails loudly)."""
    roles = user_roles(user)
    return [
        {"label": item.label, "url": reverse(item.url_name), "name": item.url_name}
        for item in NAV_ITEMS
        if roles & item.roles
    ]
