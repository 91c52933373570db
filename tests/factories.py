"""factory_boy factories for the models tests build on."""

import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from accounts.models import PlanningScope
from history.models import SalesFact
from masterdata.models import SKU, Category, Region, Store, Warehouse


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Region {o.code}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"W{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")
    region = factory.SubFactory(RegionFactory)


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Store {o.code}")
    region = factory.SubFactory(RegionFactory)
    store_format = "supermarket"
    floor_area_m2 = 1800


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Category {o.code}")
    parent = None


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SKU{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.code}")
    category = factory.SubFactory(CategoryFactory)
    unit_cost = 1.5
    unit_price = 2.5
    lead_time_days = 7


class SalesFactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesFact

    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    date = factory.Sequence(lambda n: dt.date(2024, 1, 1) + dt.timedelta(days=n))
    quantity = 5.0
    price = 2.5
    revenue = 12.5


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=extracted)
            obj.groups.add(group)
        if create:
            obj.save()


class PlanningScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanningScope

    user = factory.SubFactory(UserFactory, role="planner")


class AlertFactory(factory.django.DjangoModelFactory):
    """An alert of a sales spike at a store for a SKU, as a scan would store it."""

    class Meta:
        model = "anomalies.Alert"

    kind = "demand_spike"
    metric = "sales"
    store = factory.SubFactory(StoreFactory)
    sku = factory.SubFactory(SKUFactory)
    start_date = dt.date(2025, 1, 14)
    end_date = dt.date(2025, 1, 15)
    fingerprint = factory.Sequence(lambda n: f"demand_spike:{n}")
    expected = 10.0
    actual = 48.0
    expected_low = 6.0
    expected_high = 14.0
    units_at_stake = 38.0
    value_at_stake = 95.0
    stockout_risk = 0.6
    score = 4.2
    severity = 3
    detectors = factory.LazyFunction(
        lambda: [
            {"name": "Residual vs forecast", "score": 4.2, "detail": "actual 4.8× expected"},
            {"name": "Isolation Forest", "score": 1.3, "detail": ""},
        ]
    )
    summary = "Sales 48 units against 10 expected over two days."
    suggested_cause = "Promotion not recorded"
    what_to_check = "Whether a promotion ran that is missing from the promotions feed."


class AlertNotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "anomalies.AlertNotification"

    user = factory.SubFactory(UserFactory)
    alert = factory.SubFactory(AlertFactory)
