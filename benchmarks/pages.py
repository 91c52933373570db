"""Benchmark: server time of every page, for every role, on the default demo company.

In a throwaway database on the server of ``DATABASE_URL`` it loads the demo company with the
``load_demo`` defaults, forecasts it (daily and weekly), scans it for anomalies, plans its
inventory and opens the next month's S&OP cycle through the same commands a user runs, then
logs in as a planner, an admin, an executive and a planner scoped to one region and one
category. The pages come from the URL conf: every route outside the API and Django's admin
whose view admits the role (``role_required``'s ``allowed_roles``; ``login_required`` views
admit every role) and answers GET. Detail routes get an object the role can see (a store, a
SKU, a job, a user, an alert, a cycle, a plan version, a policy). Each line is one page and
role with the median of 3 requests, timed around Django's test client (the whole request
through the middleware, no network). The last line counts the pages over the budget; the
exit code is 1 when any is.

``BENCH_KEEP_DB=1`` keeps the database for the next run, which then skips the load and the
forecasts (for measuring page changes again and again; a full run drops it).
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import time
from dataclasses import dataclass

from benchmarks._throwaway import django_setup, throwaway_database

BUDGET_MS = 300
REQUESTS = 3
API_PREFIXES = ("api/", "django-admin/", "static/", "media/")


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    roles: frozenset[str]
    params: tuple[str, ...]


def _pages() -> list[Page]:
    """Every routed page outside the API, with the roles its view admits."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from accounts.models import Role

    every_role = frozenset(Role.values)
    found: list[Page] = []

    def walk(patterns, prefix: str, namespaces: tuple[str, ...]) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(API_PREFIXES):
                continue
            if isinstance(entry, URLResolver):
                inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                roles = getattr(entry.callback, "allowed_roles", every_role)
                name = ":".join((*namespaces, entry.name))
                found.append(Page(name, route, frozenset(roles), tuple(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "", ())
    return found


def _sample_kwargs(page: Page, user) -> dict | None:
    """An object of the route's kind that ``user`` may see, named by the route's segment
    before the parameter (``stores/<pk>``, ``skus/<pk>``, ``jobs/<pk>``, ``users/<pk>``).
    None when the route takes an object of a kind the benchmark does not know."""
    from django.contrib.auth.models import User

    from accounts.scoping import Scope
    from jobs.selectors import jobs_visible_to
    from masterdata.models import SKU, Store

    if not page.params:
        return {}
    scope = Scope.for_user(user)
    if page.name in OBJECT_PAGES:
        return OBJECT_PAGES[page.name](scope)
    segments = [s for s in page.route.split("/") if s and not s.startswith("<")]
    kind = segments[-1] if segments else ""
    samples = {
        "stores": lambda: (
            Store.objects.visible_to(scope).order_by("code").values_list("pk", flat=True)
        ),
        "skus": lambda: SKU.objects.visible_to(scope).order_by("code").values_list("pk", flat=True),
        "jobs": lambda: jobs_visible_to(user).order_by("-pk").values_list("pk", flat=True),
        "users": lambda: User.objects.order_by("pk").values_list("pk", flat=True),
    }
    for segment in (kind, page.route.split("/")[0]):
        if segment in samples:
            value = samples[segment]().first()
            return None if value is None else {page.params[0]: value}
    return None


def _alert(scope) -> dict | None:
    from anomalies.models import Alert

    pk = Alert.objects.visible_to(scope).in_inbox().values_list("pk", flat=True).first()
    return None if pk is None else {"pk": pk}


def _cycle(scope) -> dict | None:
    from planning.models import PlanningCycle

    pk = PlanningCycle.objects.order_by("-month").values_list("pk", flat=True).first()
    return None if pk is None else {"pk": pk}


def _plan_version(scope) -> dict | None:
    from planning.models import PlanVersion

    version = PlanVersion.objects.order_by("-cycle__month", "-number").first()
    return None if version is None else {"pk": version.cycle_id, "number": version.number}


def _policy(scope) -> dict | None:
    from inventory.models import InventoryPolicy

    row = (
        InventoryPolicy.objects.visible_to(scope)
        .filter(store__isnull=False)
        .order_by("store__code", "sku__code")
        .values_list("store_id", "sku_id")
        .first()
    )
    return None if row is None else {"store_pk": row[0], "sku_pk": row[1]}


# Pages about one object of the newer apps, by route name: the object a role may see.
OBJECT_PAGES = {
    "anomalies:alert": _alert,
    "planning:cycle": _cycle,
    "planning:meeting": _cycle,
    "planning:grid": _plan_version,
    "inventory:policy": _policy,
}


def _users() -> dict[str, object]:
    from django.contrib.auth.models import Group, User

    from accounts.models import PlanningScope, Role
    from masterdata.models import Category, Region

    users = {role: User.objects.get(username=role) for role in ("planner", "admin", "executive")}
    scoped, _ = User.objects.get_or_create(username="scoped-planner")
    scoped.groups.add(Group.objects.get(name=Role.PLANNER))
    scope, _ = PlanningScope.objects.get_or_create(user=scoped)
    scope.regions.set(Region.objects.order_by("code")[:1])
    scope.categories.set(Category.objects.filter(parent__isnull=False).order_by("code")[:1])
    users["scoped planner"] = scoped
    return users


def _measure(client, url: str) -> tuple[float, int, int]:
    """Median milliseconds over ``REQUESTS`` GETs, the status and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    status, query_count = response.status_code, len(queries)
    if status != 200:
        return 0.0, status, query_count
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), status, query_count


def _prepare() -> None:
    from django.core.management import call_command

    from demo.services import demo_users_ensure

    out = io.StringIO()
    for label, command, options in (
        ("demo load", "load_demo", {}),
        ("daily forecast", "forecast", {"granularity": "daily"}),
        ("weekly forecast", "forecast", {"granularity": "weekly"}),
        ("anomaly scan", "scan_anomalies", {"full": True}),
        ("inventory plan", "plan_inventory", {}),
        ("S&OP cycle", "open_cycle", {}),
    ):
        start = time.perf_counter()
        call_command(command, stdout=out, **options)
        print(f"{label}: {time.perf_counter() - start:.1f} s")
    demo_users_ensure()


def _run(*, prepare: bool) -> int:
    from django.test import Client
    from django.urls import reverse

    from accounts.roles import user_roles

    # Actions answer GET with 405, which Django logs as a warning: not news here.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    if prepare:
        _prepare()
    # Server times depend on what else the machine runs: say how busy it was.
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    over = measured = 0
    for label, user in _users().items():
        client = Client()
        client.force_login(user)
        roles = user_roles(user)
        for page in _pages():
            if not roles & page.roles:
                continue
            kwargs = _sample_kwargs(page, user)
            if kwargs is None:
                continue
            url = reverse(page.name, kwargs=kwargs)
            ms, status, queries = _measure(client, url)
            if status in (302, 405):
                continue  # an action (POST only) or a redirect, not a page to read
            measured += 1
            flag = ""
            if ms > BUDGET_MS:
                over += 1
                flag = "  OVER"
            print(f"{label:15} {url:40} {ms:8.0f} ms  {status}  {queries:3} queries{flag}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"{over} of {measured} pages over {BUDGET_MS} ms")
    return 1 if over else 0


def main() -> int:
    django_setup()
    keep = os.environ.get("BENCH_KEEP_DB") == "1"
    with throwaway_database("pages", keep=keep):
        from history.models import SalesFact

        return _run(prepare=not (keep and SalesFact.objects.exists()))
