"""Stored forecasts, the model leaderboard per series, pins and accuracy over time.

Forecasts are kept per origin (the last actual date they were made from), so each day's
forecast can later be compared with the actuals that follow it; re-running a forecast for
the same origin overwrites the same rows instead of adding new ones.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, QuerySet

from accounts.scoping import Scope, require_scope
from forecasting.engine.blend import Blend
from jobs.models import JobRun, WorkChunk
from masterdata.models import SKU, Category, Region, Store, StoreSKUQuerySet


class Granularity(models.TextChoices):
    """The stored codes of :mod:`forecasting.engine.granularity`'s DAILY and WEEKLY."""

    DAILY = "D", "Daily"
    WEEKLY = "W", "Weekly"


class ForecastRun(models.Model):
    """One forecasting pass over the history: its settings, origin and summary figures."""

    job = models.OneToOneField(
        JobRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="forecast_run"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    horizon = models.PositiveIntegerField()
    windows = models.PositiveIntegerField()
    origin = models.DateField(help_text="Last date with actuals the forecast starts from.")
    series_count = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_granularity_display()} forecast from {self.origin} (h={self.horizon})"


class ForecastChunk(WorkChunk):
    """A slice of the stores of one forecast run (every series of those stores)."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="chunks")
    store_ids = models.JSONField()

    class Meta(WorkChunk.Meta):
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="chunk_unique_index")]


class Forecast(models.Model):
    """The forecast of one store × SKU for one future period, made at ``origin``."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+", db_index=False)
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    origin = models.DateField()
    date = models.DateField()
    forecast = models.FloatField()
    p10 = models.FloatField()
    p50 = models.FloatField()
    p90 = models.FloatField()
    model = models.CharField(max_length=120)
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="+", db_index=False)

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "sku", "granularity", "origin", "date"], name="forecast_unique"
            ),
            models.CheckConstraint(
                condition=Q(p10__lte=F("p50")) & Q(p50__lte=F("p90")),
                name="forecast_quantiles_ordered",
            ),
            models.CheckConstraint(condition=Q(date__gt=F("origin")), name="forecast_after_origin"),
        ]
        indexes = [
            models.Index(fields=["granularity", "origin"], name="forecast_origin_idx"),
            models.Index(fields=["sku", "date"], name="forecast_sku_date_idx"),
            models.Index(fields=["run"], name="forecast_run_idx"),
        ]


class SeriesModel(models.Model):
    """The model chosen for one store × SKU at one granularity, and why."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+")
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    model = models.CharField(max_length=120, help_text="The name of the blend below.")
    blend = models.JSONField(
        help_text='The model or blend, e.g. {"models": ["ets", "lightgbm"], "weights": [1, 3]}.'
    )
    demand_class = models.CharField(max_length=12, blank=True)
    adi = models.FloatField(
        null=True, blank=True, help_text="Average demand interval: periods per period with sales."
    )
    cv2 = models.FloatField(
        null=True, blank=True, help_text="Squared coefficient of variation of non-zero sales."
    )
    strategy = models.CharField(
        max_length=40,
        blank=True,
        help_text="How the engine chose: global, per_series_best, per_series_combo, or too "
        "short to backtest.",
    )
    fallback_reason = models.CharField(max_length=300, blank=True)
    pinned = models.BooleanField(default=False)
    pin_cost = models.FloatField(
        null=True, blank=True, help_text="Backtest error of the pin minus the best."
    )
    fva_vs_seasonal_naive = models.FloatField(null=True, blank=True)
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="+")

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "sku", "granularity"], name="series_model_unique"
            ),
        ]

    @property
    def chosen(self) -> Blend:
        return Blend.from_json(self.blend)

    @property
    def blend_shares(self) -> list[tuple[str, int]]:
        """A blend's models with their rounded percentage shares; empty for one model."""
        chosen = self.chosen
        return [] if chosen.is_single else chosen.shares()


class LeaderboardEntry(models.Model):
    """Backtest error of one candidate model on one series."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+")
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    model = models.CharField(max_length=120)
    rmsse = models.FloatField(null=True, blank=True)
    mase = models.FloatField(null=True, blank=True)
    wape = models.FloatField(null=True, blank=True)
    bias = models.FloatField(null=True, blank=True)
    windows = models.PositiveIntegerField(default=0)
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="+")

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "sku", "granularity", "model"], name="leaderboard_unique"
            ),
        ]


class BacktestPoint(models.Model):
    """What the chosen model predicted in backtest windows, for the explorer chart."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="+", db_index=False)
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    date = models.DateField()
    forecast = models.FloatField()
    actual = models.FloatField()
    lead = models.PositiveIntegerField(help_text="Periods after the window's cut-off (1 = next).")
    model = models.CharField(max_length=120)

    objects = StoreSKUQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "sku", "granularity", "date"], name="backtest_point_unique"
            ),
        ]


class ModelPinQuerySet(QuerySet):
    """Series pins of series in scope; category pins of categories in scope, only for actors
    not narrowed by region (a category pin applies in every region)."""

    def visible_to(self, scope: Scope) -> QuerySet:
        scope = require_scope(scope)
        series = Q(category__isnull=True) & scope.q(
            region="store__region", category="sku__category"
        )
        if scope.is_nothing or scope.is_region_scoped:
            return self.filter(series)
        return self.filter(series | (Q(category__isnull=False) & scope.q(category="category")))


class ModelPin(models.Model):
    """A planner's or admin's choice of model for a series or a whole category.

    A series pin wins over a category pin. The leaderboard shows what a pin costs.
    """

    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    model = models.CharField(max_length=120)
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ModelPinQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(store__isnull=False) & Q(sku__isnull=False) & Q(category__isnull=True))
                | (Q(store__isnull=True) & Q(sku__isnull=True) & Q(category__isnull=False)),
                name="pin_series_or_category",
            ),
            models.UniqueConstraint(
                fields=["granularity", "store", "sku"],
                condition=Q(category__isnull=True),
                name="pin_unique_series",
            ),
            models.UniqueConstraint(
                fields=["granularity", "category"],
                condition=Q(category__isnull=False),
                name="pin_unique_category",
            ),
        ]

    def __str__(self) -> str:
        """How the audit log names a pin."""
        target = (
            f"category {self.category.code}"
            if self.category_id
            else f"series {self.store.code} × {self.sku.code}"
        )
        return f"{self.model} pinned for {target} ({self.get_granularity_display().lower()})"


class AccuracyRecordQuerySet(QuerySet):
    """Records of members in scope; a scoped planner sees no total (nor series) rows, which
    cover series outside the scope."""

    def visible_to(self, scope: Scope) -> QuerySet:
        scope = require_scope(scope)
        if scope.is_nothing:
            return self.none()
        if not scope.is_scoped:
            return self.all()
        regions = list(Region.objects.visible_to(scope).values_list("code", flat=True))
        categories = list(Category.objects.visible_to(scope).values_list("code", flat=True))
        stores = Store.objects.visible_to(scope).values("code")
        return self.filter(
            Q(level="region", key__in=regions)
            | Q(level="category", key__in=categories)
            | Q(level="region_category", key__in=[f"{r}|{c}" for r in regions for c in categories])
            | Q(level="store", key__in=stores)
        )


class AccuracyRecord(models.Model):
    """Forecast accuracy against actuals for one day's comparison, kept over time.

    ``level`` is total, region, category, store or series; ``key`` identifies the member
    (e.g. the region code); ``lead`` is periods ahead of the origin (1 = next period).
    The sums are kept so any roll-up can recompute WAPE and bias exactly.
    """

    class Source(models.TextChoices):
        LIVE = "live", "Live (stored forecasts vs later actuals)"
        BACKTEST = "backtest", "Backtest (rolling-origin windows)"

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.LIVE)
    granularity = models.CharField(max_length=1, choices=Granularity.choices)
    evaluated_on = models.DateField(help_text="The actuals' date being compared.")
    level = models.CharField(max_length=20)
    key = models.CharField(max_length=80)
    lead_bucket = models.CharField(max_length=12)
    actual_sum = models.FloatField()
    forecast_sum = models.FloatField()
    abs_error_sum = models.FloatField()
    points = models.PositiveIntegerField()

    objects = AccuracyRecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "granularity", "evaluated_on", "level", "key", "lead_bucket"],
                name="accuracy_record_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["source", "granularity", "level", "evaluated_on"], name="accuracy_level_idx"
            )
        ]

    @property
    def wape(self) -> float | None:
        return self.abs_error_sum / abs(self.actual_sum) if self.actual_sum else None


# The explorer's summary cells live beside the code that keeps them; imported here so Django
# registers them with the app.
from forecasting.summaries import ActualsCell, BacktestCell, ForecastCell  # noqa: E402, F401
