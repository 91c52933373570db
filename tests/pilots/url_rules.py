"""Who may open the pilot pages and act on a pilot.

Admins and executives read the overview, a pilot's KPI page and its per-store export (the
whole company: both are company-wide roles); only admins create a pilot, draw or hand-assign
its groups, read the design check, start it and cancel it. The board pack (PDF and XLSX)
is for the same readers as the KPI page. Planners have no pilot page at all, so a planner
can neither see nor change an assignment.
"""

import datetime as dt

from pilots.models import Group, Pilot, PilotKpi, PilotStore
from tests.factories import StoreFactory
from tests.permissions import ADMIN_ONLY, UrlRule

PILOT_READERS = frozenset({"admin", "executive"})
START = dt.date(2026, 12, 7)
END = dt.date(2027, 3, 8)


def extend_world(world) -> None:
    pilot = Pilot.objects.create(name="Winter pilot", start_date=START, end_date=END)
    PilotKpi.objects.create(pilot=pilot, kpi="mape", threshold=-0.1, primary=True)
    stores = [world["store_in"], world["store_out"]]
    stores += [
        StoreFactory(code=f"PILOT{i}", region=world["north" if i % 2 else "south"])
        for i in range(2)
    ]
    for index, store in enumerate(stores):
        PilotStore.objects.create(
            pilot=pilot,
            store=store,
            group=index % 2,
            start_date=START,
            end_date=END,
        )
    world["pilot"] = pilot
    world["pilot_stores"] = stores


def _pilot(world) -> dict:
    return {"pk": world["pilot"].pk}


def _by_hand(world) -> dict:
    data = {"design": "manual"}
    for index, store in enumerate(world["pilot_stores"]):
        data[f"group_{store.pk}"] = str(Group.EXPERIMENTAL if index < 2 else Group.CONTROL)
    return data


URL_RULES = [
    UrlRule("pilots:list", PILOT_READERS),
    UrlRule("pilots:new", ADMIN_ONLY),
    UrlRule(
        "pilots:new",
        ADMIN_ONLY,
        method="POST",
        data={
            "name": "Spring pilot",
            "start_date": "2027-04-05",
            "primary_kpi": "mape",
            "use_mape": "on",
            "threshold_mape": "-10",
        },
        status=302,
    ),
    UrlRule("pilots:kpis", PILOT_READERS, kwargs=_pilot),
    UrlRule("pilots:stores_export", PILOT_READERS, kwargs=lambda w: {**_pilot(w), "fmt": "csv"}),
    UrlRule("pilots:design", ADMIN_ONLY, kwargs=_pilot),
    UrlRule("pilots:design_check", ADMIN_ONLY, kwargs=_pilot),
    UrlRule("pilots:assign", ADMIN_ONLY, method="POST", kwargs=_pilot, data=_by_hand, status=302),
    UrlRule("pilots:start", ADMIN_ONLY, method="POST", kwargs=_pilot, status=302),
    UrlRule(
        "pilots:cancel",
        ADMIN_ONLY,
        method="POST",
        kwargs=_pilot,
        data={"reason": "The chain changed its ordering system"},
        status=302,
    ),
    UrlRule("pilots:board_pack_pdf", PILOT_READERS, kwargs=_pilot),
    UrlRule("pilots:board_pack_xlsx", PILOT_READERS, kwargs=_pilot),
]
