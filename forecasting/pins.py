"""Pinning a model for a series or a whole category, and clearing a pin.

A pin overrides the automatic model selection from the next forecast run on. Views look
objects up through the user's scope (404 outside it); these services check again inside
the transaction, so a pin can never be written for series the user may not plan. The audit
app records every pin change (``settings.AUDITED_MODELS``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.scoping import Scope
from forecasting.models import Granularity, ModelPin
from forecasting.selectors import pin_candidates
from masterdata.models import SKU, Category, Store


def _check_target(
    *, scope: Scope, store: Store | None, sku: SKU | None, category: Category | None
) -> None:
    if category is not None:
        if store is not None or sku is not None:
            raise ValueError("Pin either one series (store and SKU) or one category, not both.")
        if not Category.objects.visible_to(scope).filter(pk=category.pk).exists():
            raise PermissionDenied("That category is outside your planning scope.")
        if scope.is_region_scoped:
            raise PermissionDenied(
                "A category pin applies in every region and your scope covers only some "
                "regions; pin the series instead."
            )
        return
    if store is None or sku is None:
        raise ValueError("Pin a series by its store and SKU, or a whole category.")
    in_scope = (
        Store.objects.visible_to(scope).filter(pk=store.pk).exists()
        and SKU.objects.visible_to(scope).filter(pk=sku.pk).exists()
    )
    if not in_scope:
        raise PermissionDenied("That series is outside your planning scope.")


@transaction.atomic
def model_pin_set(
    *,
    actor,
    scope: Scope,
    granularity: str,
    model: str,
    store: Store | None = None,
    sku: SKU | None = None,
    category: Category | None = None,
) -> ModelPin:
    """Pin ``model`` for one series (``store`` and ``sku``) or a whole ``category``;
    a second pin for the same target replaces the first. The target must be in ``scope``,
    the actor's."""
    if granularity not in Granularity.values:
        raise ValueError(f"granularity must be D (daily) or W (weekly), not {granularity!r}")
    if model not in pin_candidates(granularity=granularity):
        raise ValueError(f"{model!r} is not a model the forecasts were scored with.")
    _check_target(scope=scope, store=store, sku=sku, category=category)
    target = {"granularity": granularity, "store": store, "sku": sku, "category": category}
    pin = ModelPin.objects.select_for_update().filter(**target).first() or ModelPin(**target)
    pin.model = model
    pin.created_by = actor
    pin.save()
    return pin


@transaction.atomic
def model_pin_clear(*, scope: Scope, pin: ModelPin) -> None:
    """Remove a pin; the series go back to the automatic selection at the next run."""
    if not ModelPin.objects.visible_to(scope).filter(pk=pin.pk).exists():
        raise PermissionDenied("That pin is outside your planning scope.")
    pin.delete()
