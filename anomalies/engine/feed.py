"""Feed anomalies: a store that stopped reporting, a day with far fewer rows than usual.

"Usual" is the median row count of the same weekday over the previous weeks, so a quiet
Sunday is compared with Sundays. Store closures are not feed problems.
"""

from __future__ import annotations

import numpy as np

from anomalies.engine.events import Event
from anomalies.engine.expectation import seasonal_baseline
from anomalies.engine.panel import Panel
from anomalies.engine.runs import runs
from anomalies.engine.settings import DetectorSettings


def feed_events(panel: Panel, settings: DetectorSettings) -> list[Event]:
    stores = np.unique(panel.store_id)
    rows = np.column_stack(
        [panel.reported[:, panel.store_id == s].sum(axis=1) for s in stores]
    ).astype(float)
    closed = np.column_stack([panel.closed[:, panel.store_id == s].all(axis=1) for s in stores])
    rows_history = np.where(closed, np.nan, rows)
    usual = seasonal_baseline(rows_history.astype(np.float32), settings.baseline_weeks)
    events: list[Event] = []
    start, stop = panel.score_rows.start, panel.score_rows.stop

    stopped = (rows == 0) & (usual > 0) & ~closed
    col, a, b = runs(stopped)
    for c, s, e in zip(col, a, b, strict=True):
        if e < start or s >= stop:
            continue
        event = Event(
            kind="feed_stopped",
            metric="feed",
            store_id=int(stores[c]),
            start=panel.dates[s],
            end=panel.dates[e],
            detected_on=panel.dates[s],
            score=float(e - s + 1),
            expected=float(np.nansum(usual[s : e + 1, c])),
            actual=0.0,
        )
        event.fired("rows_per_day", e - s + 1, usual_rows=float(np.nanmedian(usual[s : e + 1, c])))
        events.append(event)

    total = np.where(stopped, 0, rows).sum(axis=1)
    total_usual = np.nansum(np.where(stopped, 0, usual), axis=1)
    all_closed = closed.all(axis=1)
    thin = (total < settings.feed_thin_ratio * total_usual) & ~all_closed & (total_usual > 0)
    for day in np.flatnonzero(thin[start:stop]) + start:
        share = total[day] / total_usual[day]
        event = Event(
            kind="feed_thin",
            metric="feed",
            start=panel.dates[day],
            end=panel.dates[day],
            detected_on=panel.dates[day],
            score=float(1 - share),
            expected=float(total_usual[day]),
            actual=float(total[day]),
        )
        event.fired("rows_per_day", 1 - share, rows=int(total[day]), usual=float(total_usual[day]))
        events.append(event)
    return events
