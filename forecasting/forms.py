"""Forms of the forecasting pages; every member choice is limited to the user's scope, so a
code outside it is an invalid choice (the views answer 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Q

from accounts.scoping import Scope
from forecasting.explorer import SeriesFilter
from forecasting.models import AccuracyRecord, Granularity
from forecasting.selectors import pin_candidates
from masterdata.selectors import category_list, region_list, sku_list, store_list

MEMBER_FIELDS = ("store", "sku", "category", "region")
CHOICE_FIELDS = ("category", "region")


class CodeChoiceField(forms.ModelChoiceField):
    """A master-data member chosen by its code, shown as ``code · name``."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="code", required=False, **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.code} · {obj.name}"


# A search that matches more members than this lists the first ones and asks for more text.
MATCHES_SHOWN = 20


@dataclass(frozen=True)
class MemberSearch:
    """What a store or SKU box was typed with and the members in scope it matched, when
    it did not name exactly one."""

    field: str
    label: str
    text: str
    matches: list
    more: bool


class ExplorerForm(forms.Form):
    """What to show: a series (store and SKU) or a sum over any mix of members.

    Stores and SKUs are found by code or by part of their code or name, within the scope:
    one match selects it; none or several leave a :class:`MemberSearch` in ``searches``
    for the page to say so (a member outside the scope is simply not found).
    """

    granularity = forms.ChoiceField(choices=Granularity.choices, required=False)
    region = CodeChoiceField(None, empty_label="All regions")
    store = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "store-codes", "placeholder": "All (code or name)"}),
    )
    category = CodeChoiceField(None, empty_label="All categories")
    sku = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "sku-codes", "placeholder": "All (code or name)"}),
    )

    def __init__(self, scope: Scope, *args, default_granularity: str = Granularity.DAILY, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_granularity = default_granularity
        self.fields["region"].queryset = region_list(scope)
        self.fields["category"].queryset = category_list(scope)
        self.members = {"store": store_list(scope), "sku": sku_list(scope)}
        self.searches: list[MemberSearch] = []

    def clean_granularity(self) -> str:
        return self.cleaned_data["granularity"] or self.default_granularity

    def _found(self, field: str, label: str):
        text = " ".join(self.cleaned_data[field].split())
        if not text:
            return None
        members = self.members[field]
        exact = members.filter(code__iexact=text).first()
        if exact is not None:
            return exact
        matches = list(
            members.filter(Q(code__icontains=text) | Q(name__icontains=text)).order_by("code")[
                : MATCHES_SHOWN + 1
            ]
        )
        if len(matches) == 1:
            return matches[0]
        self.searches.append(
            MemberSearch(
                field, label, text, matches[:MATCHES_SHOWN], more=len(matches) > MATCHES_SHOWN
            )
        )
        return None

    def clean_store(self):
        return self._found("store", "store")

    def clean_sku(self):
        return self._found("sku", "SKU")

    def selection(self) -> SeriesFilter:
        fields = ("granularity", *MEMBER_FIELDS)
        return SeriesFilter(**{name: self.cleaned_data[name] for name in fields})

    def out_of_scope(self) -> bool:
        """Whether a region or category code was refused: it is unknown or outside the
        scope (those come from lists, so only a hand-made address names another)."""
        return any(name in self.errors for name in CHOICE_FIELDS)


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
