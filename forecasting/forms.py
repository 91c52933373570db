"""Forms of the forecasting pages; every member choice is limited to the user's scope, so a
code outside it is an invalid choice (the views answer 404)."""

from __future__ import annotations

from django import forms

from accounts.scoping import Scope
from forecasting.explorer import SeriesFilter
from forecasting.models import AccuracyRecord, Granularity
from forecasting.selectors import pin_candidates
from masterdata.selectors import category_list, region_list, sku_list, store_list

MEMBER_FIELDS = ("store", "sku", "category", "region")


class CodeChoiceField(forms.ModelChoiceField):
    """A master-data member chosen by its code, shown as ``code · name``."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="code", required=False, **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.code} · {obj.name}"


class ExplorerForm(forms.Form):
    """What to show: a series (store and SKU) or a sum over any mix of members."""

    granularity = forms.ChoiceField(choices=Granularity.choices, required=False)
    region = CodeChoiceField(None, empty_label="All regions")
    store = CodeChoiceField(None, empty_label="All stores")
    category = CodeChoiceField(None, empty_label="All categories")
    sku = CodeChoiceField(
        None,
        widget=forms.TextInput(
            attrs={"list": "sku-codes", "placeholder": "All SKUs (type a code)"}
        ),
    )

    def __init__(self, scope: Scope, *args, default_granularity: str = Granularity.DAILY, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_granularity = default_granularity
        self.fields["region"].queryset = region_list(scope)
        self.fields["store"].queryset = store_list(scope)
        self.fields["category"].queryset = category_list(scope)
        self.fields["sku"].queryset = sku_list(scope)

    def clean_granularity(self) -> str:
        return self.cleaned_data["granularity"] or self.default_granularity

    def selection(self) -> SeriesFilter:
        fields = ("granularity", *MEMBER_FIELDS)
        return SeriesFilter(**{name: self.cleaned_data[name] for name in fields})

    def out_of_scope(self) -> bool:
        """Whether a member code was refused: it is unknown or outside the scope."""
        return any(name in self.errors for name in MEMBER_FIELDS)


class PinForm(forms.Form):
    """Pin a model for the series (store × SKU) or for the SKU's whole category."""

    TARGETS = [("series", "This series"), ("category", "The whole category")]

    granularity = forms.ChoiceField(choices=Granularity.choices)
    store = CodeChoiceField(None)
    sku = CodeChoiceField(None)
    model = forms.ChoiceField()
    target = forms.ChoiceField(choices=TARGETS, initial="series")

    def __init__(self, scope: Scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = store_list(scope)
        self.fields["sku"].queryset = sku_list(scope)
        granularity = self.data.get("granularity") if self.is_bound else None
        choices = pin_candidates(granularity=granularity or Granularity.DAILY)
        self.fields["model"].choices = [(name, name) for name in choices]

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("store") or not cleaned.get("sku")
        if missing and not self.out_of_scope():
            raise forms.ValidationError("Choose the store and SKU of the series to pin.")
        return cleaned

    def out_of_scope(self) -> bool:
        return "store" in self.errors or "sku" in self.errors


class RunForm(forms.Form):
    granularity = forms.ChoiceField(choices=Granularity.choices, initial=Granularity.DAILY)
    horizon = forms.IntegerField(
        required=False, min_value=1, help_text="Periods ahead; empty for 56 days / 39 weeks."
    )


class AccuracyForm(forms.Form):
    source = forms.ChoiceField(
        choices=[(AccuracyRecord.Source.BACKTEST, "Backtest"), (AccuracyRecord.Source.LIVE, "Live")]
    )
    granularity = forms.ChoiceField(choices=Granularity.choices)
