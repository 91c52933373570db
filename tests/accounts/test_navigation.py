"""Navigation per role: each role sees only links its views accept, and every link resolves."""

import pytest
from django.urls import resolve

from accounts.navigation import nav_for


@pytest.mark.parametrize(
    ("who", "expected", "hidden"),
    [
        (
            "planner",
            {"Home", "Data overview", "Forecasts"},
            {"Users", "Audit log", "Import", "Pilots"},
        ),
        (
            "executive",
            {"Home", "Data overview", "Accuracy", "Pilots"},
            {"Forecasts", "Users", "Jobs"},
        ),
        ("admin_user", {"Users", "Audit log", "Import", "Jobs", "Pilots"}, set()),
    ],
)
def test_nav_per_role(request, who, expected, hidden):
    labels = {item["label"] for item in nav_for(request.getfixturevalue(who))}
    assert expected <= labels
    assert not hidden & labels


def test_every_nav_link_resolves(admin_user, planner, executive):
    for user in (admin_user, planner, executive):
        for item in nav_for(user):
            assert resolve(item["url"]).view_name == item["name"]
