"""Forms of the pilot pages: a new pilot with its KPIs and thresholds, a drawn assignment,
an assignment by hand and a cancellation.

Thresholds are typed in per cent (−10 means "10 % lower than control"), stored as fractions;
a threshold pointing the wrong way for its KPI is refused with the direction it needs.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from pilots.models import DEFAULT_THRESHOLDS, LOWER_IS_BETTER, Design, Group, Kpi
from pilots.services import STRATA

PILOT_DAYS = 91
STRATA_LABELS = {
    "region": "Region",
    "format": "Format",
    "size": "Size (floor area, thirds)",
    "pre_sales": "Pre-period sales (thirds)",
}


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


class PilotCreateForm(forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Give the pilot a name."})
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    start_date = forms.DateField(
        label="Starts on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Say when the pilot starts."},
    )
    end_date = forms.DateField(
        label="Ends on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Blank: three months (91 days) after the start.",
    )
    primary_kpi = forms.ChoiceField(
        label="Primary KPI",
        choices=Kpi.choices,
        initial=Kpi.MAPE,
        help_text="The KPI the pilot's success is decided on.",
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = next_monday(today)
        for kpi in Kpi:
            default = DEFAULT_THRESHOLDS.get(kpi)
            self.fields[f"use_{kpi.value}"] = forms.BooleanField(
                label=kpi.label, required=False, initial=default is not None
            )
            self.fields[f"threshold_{kpi.value}"] = forms.FloatField(
                label=f"{kpi.label}: threshold (%)",
                required=False,
                min_value=-100,
                max_value=1000,
                initial=None if default is None else round(default * 100, 4),
            )

    def main_fields(self) -> list:
        """The name, period and primary KPI (the KPI rows are laid out as a table)."""
        return [self[name] for name in ("name", "start_date", "end_date", "primary_kpi")]

    def kpi_rows(self) -> list[dict]:
        """The KPI table's rows: the include box, the threshold and which way is better."""
        return [
            {
                "kpi": kpi,
                "use": self[f"use_{kpi.value}"],
                "threshold": self[f"threshold_{kpi.value}"],
                "better": "lower" if kpi in LOWER_IS_BETTER else "higher",
                "absolute": kpi == Kpi.ALERTS_CONFIRMED,
            }
            for kpi in Kpi
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "A pilot ends after it starts.")
        thresholds = {}
        for kpi in Kpi:
            if not data.get(f"use_{kpi.value}"):
                continue
            field = f"threshold_{kpi.value}"
            value = data.get(field)
            if value is None:
                if field not in self.errors:
                    self.add_error(field, f"Give {kpi.label} a threshold, or leave it out.")
                continue
            if kpi == Kpi.ALERTS_CONFIRMED:
                if not 0 < value <= 100:
                    self.add_error(field, "The share of alerts confirmed is between 0 and 100 %.")
                    continue
            elif kpi in LOWER_IS_BETTER and value >= 0:
                self.add_error(field, f"{kpi.label} is better lower: give a reduction, e.g. −10.")
                continue
            elif kpi not in LOWER_IS_BETTER and value <= 0:
                self.add_error(field, f"{kpi.label} is better higher: give a rise, e.g. 5.")
                continue
            thresholds[kpi.value] = value / 100
        if not thresholds and not self.errors:
            raise forms.ValidationError("Choose at least one KPI to judge the pilot on.")
        primary = data.get("primary_kpi")
        if primary and not data.get(f"use_{primary}"):
            self.add_error("primary_kpi", "The primary KPI must be one of the pilot's KPIs.")
        data["thresholds"] = thresholds
        if start and not end:
            data["end_date"] = start + timedelta(days=PILOT_DAYS)
        return data


DRAWN_DESIGNS = [(d.value, d.label) for d in Design if d != Design.MANUAL]


class DrawForm(forms.Form):
    """Which stores take part and how they are drawn into the groups."""

    design = forms.ChoiceField(
        choices=DRAWN_DESIGNS, initial=Design.STRATIFIED, widget=forms.RadioSelect
    )
    strata = forms.MultipleChoiceField(
        label="Stratify by",
        choices=[(s, STRATA_LABELS[s]) for s in STRATA],
        required=False,
        initial=["region"],
        widget=forms.CheckboxSelectMultiple,
        help_text="Stratified designs draw half of each stratum into each group.",
    )
    seed = forms.IntegerField(
        label="Random seed",
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Blank: a new seed, recorded with the groups so they can be drawn again.",
    )
    stores = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the stores that take part."},
    )

    def __init__(self, *args, stores: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].choices = [
            (s.pk, f"{s.code} · {s.name} ({s.region.name})") for s in stores
        ]
        self.fields["stores"].initial = [s.pk for s in stores]

    def clean(self):
        data = super().clean()
        if data.get("design") == Design.STRATIFIED and not data.get("strata"):
            self.add_error("strata", "Choose what to stratify by, or draw completely at random.")
        chosen = data.get("stores") or []
        if chosen and len(chosen) < 4:
            self.add_error("stores", "Choose at least four stores: two for each group.")
        return data


MANUAL_CHOICES = [("", "Not in the pilot"), *((str(g.value), g.label) for g in Group)]


class ManualForm(forms.Form):
    """Each store's group, chosen by hand."""

    def __init__(self, *args, stores: list, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = stores
        for store in stores:
            self.fields[f"group_{store.pk}"] = forms.TypedChoiceField(
                label=f"{store.code} · {store.name}",
                choices=MANUAL_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(store.pk),
            )

    def rows(self) -> list[tuple]:
        return [(store, self[f"group_{store.pk}"]) for store in self.stores]

    def clean(self):
        data = super().clean()
        groups = {
            store.pk: data[f"group_{store.pk}"]
            for store in self.stores
            if data.get(f"group_{store.pk}") is not None
        }
        values = list(groups.values())
        if min(values.count(Group.CONTROL), values.count(Group.EXPERIMENTAL)) < 2:
            raise forms.ValidationError("Put at least two stores in each group.")
        data["groups"] = groups
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        error_messages={"required": "Say why the pilot is cancelled."},
        widget=forms.TextInput(attrs={"placeholder": "Why stop it now?"}),
    )
