"""Forms of the inventory pages: a decision on one recommendation, a bulk decision, and the
category of the trade-off curve (limited to the actor's scope)."""

from __future__ import annotations

from django import forms

from accounts.scoping import Scope
from masterdata.selectors import category_list


class DecisionForm(forms.Form):
    """Accept, edit (with a quantity in units) or reject one recommendation, as of the
    version the planner saw."""

    action = forms.ChoiceField(
        choices=[("accept", "Accept"), ("edit", "Save"), ("reject", "Reject")]
    )
    version = forms.IntegerField(min_value=1)
    quantity = forms.FloatField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "edit" and data.get("quantity") is None:
            self.add_error("quantity", "Enter a quantity in units.")
        return data


class BulkDecisionForm(forms.Form):
    """Ticked rows as ``id:version``; accept or reject them all."""

    action = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.selected = data.getlist("select") if data is not None else []

    def clean(self):
        data = super().clean()
        versions: dict[int, int] = {}
        for value in self.selected:
            pk, _, version = str(value).partition(":")
            try:
                versions[int(pk)] = int(version)
            except ValueError:
                raise forms.ValidationError(f"Not a recommendation: {value!r}.") from None
        if not versions:
            raise forms.ValidationError("Tick at least one recommendation first.")
        data["versions"] = versions
        return data


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} · {obj.name}"


class TradeoffForm(forms.Form):
    category = CategoryChoiceField(None, to_field_name="code", required=False, empty_label=None)

    def __init__(self, scope: Scope, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["category"].queryset = category_list(scope).order_by("code")
