"""Follow imports: new actuals start an incremental anomaly scan after they commit."""

from typing import Any

from django.dispatch import receiver

from anomalies.services import anomaly_scan_after_import
from history.signals import facts_changed


@receiver(facts_changed)
def _facts_changed(sender, *, written: dict[str, int] | None = None, **kwargs: Any) -> None:
    anomaly_scan_after_import(written=written)
