"""Benchmark: the S&OP plan grid's server time, and a category override spread and saved,
on the default demo company.

In a throwaway database (see ``_throwaway``) it loads the demo company with the
``load_demo`` defaults, forecasts it weekly and opens next month's cycle with
``open_cycle`` (the statistical version: every store × SKU × week of 13 weeks), as a user
would. Then, as the demo planner, it times the grid at each drill level (categories, a
category's regions, a region's stores, a store's SKUs) through Django's test client (the
whole request, median of 3), and a category-level override of one week spread to its
store × SKU lines and saved, through the page (HTMX POST, grid re-rendered) and through the
service alone. Budgets: 300 ms per grid, 1 s per override. Exit code 1 when over.

``BENCH_KEEP_DB=1`` keeps the database (and its cycle) for the next run.
"""

from __future__ import annotations

import io
import os
import statistics
import time

from benchmarks._throwaway import django_setup, throwaway_database

GRID_BUDGET_MS = 300
OVERRIDE_BUDGET_MS = 1000
REQUESTS = 3


def _prepare() -> None:
    from django.core.management import call_command

    from demo.services import demo_users_ensure

    out = io.StringIO()
    for label, command, options in (
        ("demo load", "load_demo", {}),
        ("weekly forecast", "forecast", {"granularity": "weekly"}),
        ("open cycle", "open_cycle", {}),
    ):
        start = time.perf_counter()
        call_command(command, stdout=out, **options)
        print(f"{label}: {time.perf_counter() - start:.1f} s")
    demo_users_ensure()


def _median_ms(call) -> float:
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _run(*, prepare: bool) -> int:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from accounts.scoping import Scope
    from planning.models import PlanLine, PlanningCycle, Stage
    from planning.selectors import GridFocus, plan_grid
    from planning.services import (
        OverrideTarget,
        cycle_open_demand_review,
        cycle_weeks,
        plan_override,
        working_version,
    )

    if prepare:
        _prepare()
    admin, planner = User.objects.get(username="admin"), User.objects.get(username="planner")
    cycle = PlanningCycle.objects.order_by("-month").first()
    if cycle.stage == Stage.STATISTICAL_FORECAST:
        cycle_open_demand_review(cycle=cycle, actor=admin)
        cycle = PlanningCycle.objects.get(pk=cycle.pk)
    version = working_version(cycle)
    lines = PlanLine.objects.filter(plan_version=version)
    print(f"{cycle}: {version}, {lines.count():,} lines")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))

    first = lines.select_related("store__region", "sku__category").order_by("pk").first()
    category, region, store = first.sku.category, first.store.region, first.store
    client = Client()
    client.force_login(planner)
    url = reverse("planning:grid", kwargs={"pk": cycle.pk, "number": version.number})
    over = 0
    for label, query in (
        ("categories", {}),
        ("a category's regions", {"category": category.pk}),
        ("a region's stores", {"category": category.pk, "region": region.pk}),
        (
            "a store's SKUs",
            {"category": category.pk, "region": region.pk, "store": store.pk},
        ),
    ):
        assert client.get(url, query).status_code == 200
        ms = _median_ms(lambda q=query: client.get(url, q, headers={"HX-Request": "true"}))
        flag = "  OVER" if ms > GRID_BUDGET_MS else ""
        over += bool(flag)
        print(f"grid, {label:22} {ms:8.0f} ms{flag}")

    scope = Scope.for_user(planner)
    week = cycle_weeks(cycle)[2]
    edit_url = reverse("planning:cell_edit", kwargs={"pk": cycle.pk, "number": version.number})
    spread = lines.filter(week=week, sku__category=category).count()
    times_page, times_service = [], []
    for attempt in range(REQUESTS):
        grid = plan_grid(version=version, scope=scope, focus=GridFocus())
        row = next(r for r in grid.rows if r.id == category.pk)
        seen = next(c for c in row.cells if c["week"] == week)["quantity"]
        start = time.perf_counter()
        response = client.post(
            edit_url,
            {
                "level": "category",
                "row": category.pk,
                "week": week.isoformat(),
                "seen_total": f"{seen:g}",
                "quantity": f"{round(seen * 1.1) + attempt:g}",
                "reason": "promotion",
            },
            headers={"HX-Request": "true"},
        )
        times_page.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and b"Saved:" in response.content, response
        start = time.perf_counter()
        plan_override(
            version=version,
            target=OverrideTarget(level="category", week=week, category_id=category.pk),
            new_total=round(seen * 1.2) + attempt,
            reason="event",
            actor=planner,
            scope=scope,
        )
        times_service.append((time.perf_counter() - start) * 1000)
    for label, times in (
        ("page (saved + grid)", times_page),
        ("service (spread + save)", times_service),
    ):
        ms = statistics.median(times)
        flag = "  OVER" if ms > OVERRIDE_BUDGET_MS else ""
        over += bool(flag)
        print(f"category override of {spread} lines, {label:24} {ms:8.0f} ms{flag}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    return 1 if over else 0


def main() -> int:
    django_setup()
    keep = os.environ.get("BENCH_KEEP_DB") == "1"
    with throwaway_database("plan_grid", keep=keep):
        from planning.models import PlanningCycle

        return _run(prepare=not (keep and PlanningCycle.objects.exists()))
