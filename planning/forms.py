"""Forms of the cycle pages: a plan cell's edit, a review, a reopening, a consensus note."""

from __future__ import annotations

from django import forms

from planning.models import OverrideReason

EDIT_LEVELS = [
    ("category", "Category"),
    ("category_region", "Category in a region"),
    ("line", "Line"),
]


class CellEditForm(forms.Form):
    """A new plan for one grid cell: the row and week it names, what the editor saw, the new
    number of units and why."""

    level = forms.ChoiceField(choices=EDIT_LEVELS, widget=forms.HiddenInput)
    row = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    week = forms.DateField(widget=forms.HiddenInput)
    seen_total = forms.FloatField(required=False, widget=forms.HiddenInput)
    seen_edit_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quantity = forms.FloatField(
        label="New plan (units)",
        min_value=0,
        max_value=1_000_000_000,
        error_messages={"required": "Type the new plan in units."},
    )
    reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Choose a reason…"), *OverrideReason.choices],
        error_messages={"required": "Choose a reason for the change."},
    )
    comment = forms.CharField(label="Comment (optional)", max_length=500, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            raise forms.ValidationError("Say why the plan is rejected, so its owner can act on it.")
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=500, error_messages={"required": "Say why the plan must change."}
    )


class ConsensusForm(forms.Form):
    note = forms.CharField(max_length=300, required=False)


CHANGE_TYPES = [
    ("demand", "Demand up or down (%)"),
    ("promotion", "Promotion (demand uplift, %)"),
    ("lead_time", "Lead time longer or shorter (days)"),
    ("budget", "Weekly purchase budget"),
    ("capacity", "Storage capacity (%)"),
]


class ScenarioForm(forms.Form):
    """A what-if with one change; the service validates the change's ranges."""

    name = forms.CharField(max_length=120, label="Scenario name")
    change = forms.ChoiceField(choices=CHANGE_TYPES, label="Change")
    amount = forms.FloatField(
        label="By how much",
        help_text="Per cent for demand, promotion and capacity; days for lead time; "
        "currency per week for the budget.",
    )
    category = forms.IntegerField(required=False, widget=forms.Select)
    region = forms.IntegerField(required=False, widget=forms.Select)
    first_week = forms.DateField(required=False, label="From the week ending")
    last_week = forms.DateField(required=False, label="To the week ending")

    def __init__(self, *args, categories=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = [("", "Every category"), *categories]
        self.fields["region"].widget.choices = [("", "Every region"), *regions]

    def changes(self) -> list[dict]:
        """The change as the scenario stores it."""
        data = self.cleaned_data
        kind = data["change"]
        if kind == "budget":
            return [{"type": "budget", "per_week": data["amount"]}]
        if kind == "capacity":
            return [{"type": "capacity", "pct": data["amount"]}]
        change = {"type": kind}
        change["days" if kind == "lead_time" else "pct"] = (
            int(data["amount"]) if kind == "lead_time" else data["amount"]
        )
        if data.get("category"):
            change["category_ids"] = [data["category"]]
        if data.get("region") and kind != "lead_time":
            change["region_ids"] = [data["region"]]
        for name in ("first_week", "last_week"):
            if data.get(name) and kind != "lead_time":
                change[name] = data[name].isoformat()
        return [change]
