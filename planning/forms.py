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
