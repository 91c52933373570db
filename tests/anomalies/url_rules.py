"""Who may open the alert pages and the alert API.

Every role reads alerts in its scope: the inbox, an alert's page, the dashboard, their own
notifications and the read API (executives read, they do not judge). Planners and admins act:
verdicts, comments, bulk actions and the API's verdict. A scoped planner gets 404 for an
alert outside their scope, and a bulk action naming one is refused whole.
"""

from tests.factories import AlertFactory
from tests.permissions import ALL_ROLES, PLANNING_ROLES, UrlRule


def extend_world(world) -> None:
    for side in ("in", "out"):
        world[f"alert_{side}"] = AlertFactory(
            store=world[f"store_{side}"], sku=world[f"sku_{side}"], fingerprint=f"matrix:{side}"
        )


def _pk(key: str):
    return lambda world: {"pk": world[key].pk}


URL_RULES = [
    UrlRule("anomalies:inbox", ALL_ROLES),
    UrlRule("anomalies:dashboard", ALL_ROLES),
    UrlRule("anomalies:notifications", ALL_ROLES),
    UrlRule(
        "anomalies:notifications",
        ALL_ROLES,
        method="POST",
        data={},
        status=302,
    ),
    UrlRule(
        "anomalies:alert",
        ALL_ROLES,
        kwargs=_pk("alert_in"),
        out_of_scope_kwargs=_pk("alert_out"),
    ),
    UrlRule(
        "anomalies:action",
        PLANNING_ROLES,
        method="POST",
        kwargs=_pk("alert_in"),
        out_of_scope_kwargs=_pk("alert_out"),
        data={"action": "confirm", "version": 1},
        status=302,
    ),
    UrlRule(
        "anomalies:comment",
        PLANNING_ROLES,
        method="POST",
        kwargs=_pk("alert_in"),
        out_of_scope_kwargs=_pk("alert_out"),
        data={"text": "Checked with the store: a local fair."},
        status=302,
    ),
    UrlRule(
        "anomalies:bulk",
        PLANNING_ROLES,
        method="POST",
        data=lambda world: {"action": "acknowledge", "alerts": [world["alert_in"].pk]},
        out_of_scope_data=lambda world: {
            "action": "acknowledge",
            "alerts": [world["alert_in"].pk, world["alert_out"].pk],
        },
        status=302,
    ),
    UrlRule("alert-list", ALL_ROLES, api=True),
    UrlRule(
        "alert-detail",
        ALL_ROLES,
        api=True,
        kwargs=_pk("alert_in"),
        out_of_scope_kwargs=_pk("alert_out"),
    ),
    UrlRule(
        "alert-verdict",
        PLANNING_ROLES,
        method="POST",
        api=True,
        kwargs=_pk("alert_in"),
        out_of_scope_kwargs=_pk("alert_out"),
        data={"verdict": "confirm", "version": 1},
    ),
]
