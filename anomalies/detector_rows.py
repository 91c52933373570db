"""The detectors that fired on an alert, for people: a name instead of a code, details as
"days 56 · book stock 60" instead of a dict, and one row per detector (the strongest of
its firings, with how many times it fired) instead of a row per firing."""

from __future__ import annotations

DETECTOR_NAMES = {
    "residual": "Residual against the expected level",
    "residual_run": "Run of residuals",
    "isolation_forest": "Isolation Forest",
    "dbscan_peers": "DBSCAN: unlike its peers",
    "zero_sales_probability": "No sales for too long",
    "stock_balance": "Stock balance (movements without receipts)",
    "promised_vs_received": "Delivered later than promised",
    "lead_time_drift": "Lead-time drift",
    "feed_gap": "Feed stopped",
    "feed_rows": "Thin feed day",
}


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def detail_text(detail: object) -> str:
    """A detector's detail as words: a dict's keys spelt out with their values."""
    if isinstance(detail, dict):
        return " · ".join(
            f"{key.replace('_', ' ')} {_value_text(value)}" for key, value in detail.items()
        )
    return "" if detail in (None, "") else str(detail)


def detector_rows(detectors: list) -> list[dict]:
    """One row per detector, strongest first: its name, best score, detail and firings."""
    best: dict[str, dict] = {}
    for fired in detectors or []:
        if not isinstance(fired, dict):
            continue
        code = str(fired.get("name", "detector"))
        score = fired.get("score")
        row = best.get(code)
        if row is None:
            best[code] = row = {
                "name": DETECTOR_NAMES.get(code, code.replace("_", " ").capitalize()),
                "score": score,
                "detail": detail_text(fired.get("detail")),
                "times": 0,
            }
        elif isinstance(score, int | float) and (row["score"] is None or score > row["score"]):
            row["score"] = score
            row["detail"] = detail_text(fired.get("detail"))
        row["times"] += 1
    return sorted(best.values(), key=lambda row: -(row["score"] or 0))
