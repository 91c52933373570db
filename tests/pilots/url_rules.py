"""Who may download a pilot's board pack (PDF and XLSX).

Every role reads it: admins and executives for every pilot, a planner only for a pilot
whose stores are all in their regions (404 for any other, as for anything out of scope).
"""

import datetime as dt

from pilots.models import Group, Pilot, PilotStore
from tests.permissions import ALL_ROLES, UrlRule

START = dt.date(2025, 3, 3)


def extend_world(world) -> None:
    for side in ("in", "out"):
        pilot = Pilot.objects.create(
            name=f"Matrix pilot {side}", start_date=START, end_date=START + dt.timedelta(days=90)
        )
        PilotStore.objects.create(
            pilot=pilot,
            store=world[f"store_{side}"],
            group=Group.EXPERIMENTAL,
            start_date=pilot.start_date,
            end_date=pilot.end_date,
        )
        world[f"pilot_{side}"] = pilot


def _pk(key: str):
    return lambda world: {"pk": world[key].pk}


URL_RULES = [
    UrlRule(
        "pilots:board_pack_pdf",
        ALL_ROLES,
        kwargs=_pk("pilot_in"),
        out_of_scope_kwargs=_pk("pilot_out"),
    ),
    UrlRule(
        "pilots:board_pack_xlsx",
        ALL_ROLES,
        kwargs=_pk("pilot_in"),
        out_of_scope_kwargs=_pk("pilot_out"),
    ),
]
