"""Plain words for each kind of event: what happened, the likely cause, what to check."""

from __future__ import annotations

from anomalies.engine.events import Event, period_text, units


def _place(event: Event, store_names: dict, sku_names: dict) -> str:
    sku = sku_names.get(event.sku_id, "")
    store = store_names.get(event.store_id, "")
    if sku and store:
        return f"{sku} at {store}"
    return sku or store or "The company's feed"


def explain(event: Event, store_names: dict, sku_names: dict) -> None:
    """Fill ``summary``, ``suggested_cause`` and ``what_to_check`` of ``event``."""
    where = _place(event, store_names, sku_names)
    when = period_text(event)
    exp, act = units(event.expected), units(event.actual)
    detail = event.detectors[0]["detail"] if event.detectors else {}
    kind = event.kind
    if kind == "demand_spike":
        ratio = (event.actual or 0) / max(event.expected or 0, 1e-9)
        event.summary = (
            f"{where}: sold {act} units on {when} against {exp} expected ({ratio:.1f}×)."
        )
        event.suggested_cause = "promotion or event not recorded, or a one-off bulk purchase"
        event.what_to_check = (
            "Was there a promotion, local event or bulk order? Check the stock covers the "
            "new rate before the next delivery."
        )
    elif kind == "entry_error":
        event.summary = f"{where}: {act} units recorded on {when}, about 10× the {exp} expected."
        event.suggested_cause = "keying error: ×10"
        event.what_to_check = (
            f"Compare the day's till records with the import; the true figure is probably "
            f"{units((event.actual or 0) / 10)} units."
        )
    elif kind == "demand_drop":
        share = (event.actual or 0) / max(event.expected or 0, 1e-9)
        event.summary = f"{where}: sold {act} units on {when} against {exp} expected ({share:.0%})."
        event.suggested_cause = "listing or price error, product off the shelf, or a competitor"
        event.what_to_check = (
            "Check the product is listed, priced right and on the shelf, and the POS file "
            "of those days."
        )
    elif kind == "phantom_inventory":
        event.summary = (
            f"{where}: no sale {when} while the books show "
            f"{units(detail.get('book_stock'))} units; at the usual rate ({exp} units in that "
            f"time) the chance of that is {detail.get('probability', 0):.1g}."
        )
        event.suggested_cause = "stock on the books but not on the shelf (phantom inventory)"
        event.what_to_check = (
            "Count the shelf and the back room and correct the book stock so that "
            "replenishment restarts."
        )
    elif kind == "late_delivery":
        late = int(event.score)
        state = "is still open" if detail.get("still_open") else "arrived"
        event.summary = (
            f"{where}: order {detail.get('order', '')} {state} {late} days after the promised "
            f"{event.start:%d %b %Y} ({units(event.units_at_stake)} units)."
        )
        event.suggested_cause = "supply delay"
        event.what_to_check = "Ask the supplier why; check the stock covers the delay."
    elif kind == "stock_movement":
        if detail.get("rose_without_receipt"):
            event.summary = (
                f"{where}: the count on {event.end:%d %b %Y} found {act} units where the book, "
                f"receipts and sales since the last count imply {exp}."
            )
            event.suggested_cause = "goods receipt or transfer not recorded"
        else:
            event.summary = (
                f"{where}: sales since the last count drove the book to {exp} units "
                f"({when}): more was sold than was in stock."
            )
            event.suggested_cause = "receipt not recorded, or a booking error"
        event.what_to_check = "Look for a missing goods receipt or transfer, and recount."
    elif kind == "lead_time_drift":
        event.summary = (
            f"{where}: lead time drifted from {exp} to {act} days (median of the latest "
            f"orders, {when})."
        )
        event.suggested_cause = "supplier slower than agreed"
        event.what_to_check = (
            "Review the supplier's recent deliveries; update the lead time used for ordering."
        )
    elif kind == "feed_stopped":
        event.summary = f"{where} sent no sales on {when} (usually {exp} rows)."
        event.suggested_cause = "store's data feed interrupted"
        event.what_to_check = "Check the store's POS export and the import log; re-import."
    elif kind == "feed_thin":
        event.summary = f"Only {act} sales rows arrived for {when}, against {exp} usually."
        event.suggested_cause = "partial import"
        event.what_to_check = "Check that day's import and re-import the missing stores."
    elif kind == "peer_outlier":
        ratio = (event.actual or 0) / max(event.expected or 0, 1e-9)
        event.summary = (
            f"{where}: the week {when} sold {act} units against {exp} expected ({ratio:.1f}×), "
            f"unlike the same SKU in other stores."
        )
        event.suggested_cause = "local event, listing or display change at this store"
        event.what_to_check = "Compare with the other stores; check the store's display and prices."
    event.summary = event.summary[:300]
