"""The demo-load job: generate the company from the job's parameters and load it."""

from __future__ import annotations

from dataclasses import dataclass

from demo.engine import generate_company
from demo.services import demo_company_load, demo_pilot_ensure
from jobs.models import JobRun
from jobs.registry import JobParams, job_kind_register
from jobs.services import Progress

DEMO_LOAD_KIND = "demo_load"


@dataclass(frozen=True)
class DemoLoadParams(JobParams):
    """The seeded company to generate: the same seed and sizes give the same company."""

    seed: int = 7
    stores: int = 12
    skus: int = 120
    years: int = 3

    def __post_init__(self) -> None:
        for name in ("seed", "stores", "skus", "years"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number")
        for name in ("stores", "skus", "years"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


def demo_load_work(job: JobRun, params: DemoLoadParams, progress: Progress) -> dict:
    progress(1, "Generating the demo company")
    company = generate_company(
        seed=params.seed, stores=params.stores, skus=params.skus, years=params.years
    )
    written = demo_company_load(
        company=company, progress=lambda pct, msg: progress(5 + 0.85 * pct, msg)
    )
    progress(91, "A finished demo pilot over a past quarter")
    pilot = demo_pilot_ensure(
        store_codes=company.stores["code"].astype(str).tolist(), history_end=company.end_date
    )
    return {
        "written": written,
        "pilot": pilot.name if pilot else None,
        "sales_rows": len(company.sales),
        "start_date": company.start_date.isoformat(),
        "end_date": company.end_date.isoformat(),
    }


job_kind_register(name=DEMO_LOAD_KIND, params=DemoLoadParams, work=demo_load_work)
