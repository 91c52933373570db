"""The demo-load job: generate the company from the job's parameters and load it."""

from __future__ import annotations

from demo.engine import generate_company
from demo.services import demo_company_load
from jobs.models import JobRun
from jobs.services import Progress


def demo_load_work(job: JobRun, progress: Progress) -> dict:
    params = job.params
    progress(1, "Generating the demo company")
    company = generate_company(
        seed=params.get("seed", 7),
        stores=params.get("stores", 12),
        skus=params.get("skus", 120),
        years=params.get("years", 3),
    )
    written = demo_company_load(
        company=company, progress=lambda pct, msg: progress(5 + 0.95 * pct, msg)
    )
    return {
        "written": written,
        "sales_rows": len(company.sales),
        "start_date": company.start_date.isoformat(),
        "end_date": company.end_date.isoformat(),
    }
