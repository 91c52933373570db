"""An admin imports sales through the real upload form and reads the outcome on the job page:
every bad row reported with nothing written, and a large import's progress polled to 100 %."""

import datetime as dt

import pytest

from history.models import SalesFact
from jobs.models import JobRun
from tests.factories import SalesFactFactory, SKUFactory, StoreFactory, UserFactory

JOB_DONE_TIMEOUT_MS = 120_000
SLOW_ENOUGH_S = 3.0
# Recorded from the first paint of every document and on every HTMX swap, so no value the
# page showed is missed between two polls of the test.
RECORD_PERCENTS = """
window.__percentsShown = [];
const record = () => {
  const shown = document.querySelector("#job-status .job-percent");
  if (shown) window.__percentsShown.push(shown.textContent.trim());
};
document.addEventListener("DOMContentLoaded", () => {
  record();
  new MutationObserver(record).observe(document.body, {childList: true, subtree: true});
});
"""


def upload_sales(page, live_server, csv_text: str) -> None:
    page.goto(f"{live_server.url}/imports/")
    page.select_option("#id_format", "sop")
    page.set_input_files(
        "#id_files",
        files=[{"name": "sales.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    assert "/jobs/" in page.url, f"the upload did not lead to a job page: {page.url}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bad_rows_are_all_reported_and_nothing_is_written(live_server, page, log_in):
    store, sku = StoreFactory(code="ST1"), SKUFactory(code="SKU1")
    SalesFactFactory(store=store, sku=sku, date=dt.date(2024, 12, 1))
    SalesFactFactory(store=store, sku=sku, date=dt.date(2024, 12, 2))
    facts_before = SalesFact.objects.count()
    UserFactory(username="boss", role="admin")
    csv_text = (
        "date,store,sku,quantity\n"
        "2025-01-01,ST1,SKU1,5\n"  # row 2
        "2025-01-02,ST1,SKU1,-3\n"  # row 3: negative quantity
        "2025-01-03,ST1,SKU1,4\n"
        "2025-13-45,ST1,SKU1,2\n"  # row 5: no such date
        "2025-01-05,ST1,SKU1,6\n"
    )

    log_in("boss")
    upload_sales(page, live_server, csv_text)

    report = page.locator("section.import-report")
    report.wait_for()
    problems = report.locator("table:has(th:text-is('Problem')) tbody tr")
    rows = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()] for row in problems.all()
    ]
    assert [row[:3] for row in rows] == [
        ["sales.csv", "3", "quantity"],
        ["sales.csv", "5", "date"],
    ], rows
    assert "-3" in rows[0][3] and "negative" in rows[0][3], rows[0]
    assert "2025-13-45" in rows[1][3] and "not a valid date" in rows[1][3], rows[1]
    assert report.get_by_text("Nothing was written").is_visible()
    assert SalesFact.objects.count() == facts_before


def big_sales_csv(stores: list[str], skus: list[str], days: int) -> str:
    start = dt.date(2022, 1, 3)
    lines = ["date,store,sku,quantity"]
    for offset in range(days):
        day = (start + dt.timedelta(days=offset)).isoformat()
        for store in stores:
            for position, sku in enumerate(skus):
                lines.append(f"{day},{store},{sku},{(offset + position) % 17 + 1}")
    return "\n".join(lines) + "\n"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_job_page_follows_a_large_import_to_100_percent(live_server, page, log_in, settings):
    """The job runs in a thread of the live server and the page polls it over HTMX.

    Every value the page showed is recorded. It must end at 100 % and never go backwards.
    A value strictly between 0 and 100 is demanded whenever the job ran long enough for
    the 1 s poll to land inside it at least twice (``SLOW_ENOUGH_S``); here 30,000 rows take
    2-3 s and the page showed 0, 50 and 100 %. On a machine fast enough to finish sooner
    only the final state is checked, as a mid-run value could then not be guaranteed.
    """
    settings.SOP_JOBS_MODE = "thread"
    stores = [StoreFactory(code=f"BIG{n}").code for n in range(5)]
    skus = [SKUFactory(code=f"BIGSKU{n}").code for n in range(6)]
    csv_text = big_sales_csv(stores, skus, days=1000)
    UserFactory(username="boss", role="admin")

    log_in("boss")
    page.add_init_script(RECORD_PERCENTS)
    upload_sales(page, live_server, csv_text)

    page.wait_for_selector("#job-status:not([hx-get])", timeout=JOB_DONE_TIMEOUT_MS)
    status = page.locator("#job-status .status")
    assert status.inner_text() == "Succeeded", page.locator("#job-status").inner_text()
    assert page.locator("#job-status .job-percent").inner_text() == "100 %"
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
    assert SalesFact.objects.count() == 30_000
    shown = [int(text.removesuffix("%").strip()) for text in page.evaluate("__percentsShown")]
    assert shown[-1] == 100, shown
    job = JobRun.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    if job.wall_seconds >= SLOW_ENOUGH_S:
        assert any(0 < value < 100 for value in shown), (
            f"a {job.wall_seconds} s job showed no progress between 0 and 100 %: {shown}"
        )
    assert shown == sorted(shown), f"progress went backwards: {shown}"
