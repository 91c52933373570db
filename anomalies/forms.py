"""Forms of the operators' actions: one alert's verdict, a comment, a bulk action over the
ticked rows of the inbox, and marking notifications read.

Forms only check the shape of what was posted; the services in ``anomalies.verdicts`` decide
whether the action applies and whether the alert is in the actor's scope.
"""

from __future__ import annotations

from django import forms

from anomalies.models import DismissReason
from anomalies.verdicts import BULK_MAX, BulkAction

REASON_CHOICES = [("", "Choose a reason…"), *DismissReason.choices]


class AlertAction:
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    REOPEN = "reopen"
    CHOICES = [
        (ACKNOWLEDGE, "Acknowledge"),
        (ASSIGN, "Assign"),
        (CONFIRM, "Confirm"),
        (DISMISS, "Dismiss"),
        (REOPEN, "Reopen"),
    ]


def _owner_field(users) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=users,
        required=False,
        empty_label="Nobody",
        label="Owner",
        to_field_name="username",
    )


class VerdictForm(forms.Form):
    """One action on one alert, from the version of the alert the page showed."""

    action = forms.ChoiceField(choices=AlertAction.CHOICES)
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "This form is incomplete; reload the page and try again."},
    )
    reason = forms.ChoiceField(choices=REASON_CHOICES, required=False, label="Why dismiss")

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field(users)

    def clean(self):
        data = super().clean()
        if data.get("action") == AlertAction.DISMISS and not data.get("reason"):
            self.add_error("reason", "Choose why the alert is dismissed.")
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        max_length=4000,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What you found or did"}),
    )


ASSIGN_TO_ME = "__me__"


class BulkVerdictForm(forms.Form):
    """An action over the alerts ticked in the inbox (their ids, re-checked in scope by the
    service)."""

    action = forms.ChoiceField(choices=[("", "With the ticked alerts…"), *BulkAction.CHOICES])
    alerts = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    reason = forms.ChoiceField(choices=REASON_CHOICES, required=False, label="Why dismiss")
    owner = forms.CharField(required=False, label="Assign to")
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = users
        # Any id is accepted here; the service refuses the batch if one is outside the scope.
        self.fields["alerts"].valid_value = lambda value: str(value).isdigit()
        self.fields["alerts"].error_messages["required"] = "Tick at least one alert first."

    def clean_alerts(self):
        alerts = self.cleaned_data["alerts"]
        if len(alerts) > BULK_MAX:
            raise forms.ValidationError(f"At most {BULK_MAX} alerts at once.")
        return alerts

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == BulkAction.DISMISS and not data.get("reason"):
            self.add_error("reason", "Choose why the alerts are dismissed.")
        if action == BulkAction.ASSIGN:
            name = data.get("owner") or ""
            if name in ("", ASSIGN_TO_ME):
                data["owner_user"] = None if name == "" else ASSIGN_TO_ME
            else:
                user = self.users.filter(username=name).first()
                if user is None:
                    self.add_error("owner", f"No planner or admin called {name!r}.")
                data["owner_user"] = user
        return data

    def safe_next(self) -> str:
        """Where to go back to: only the inbox's own query string, never another site."""
        value = self.cleaned_data.get("next") or ""
        return value if value.startswith("?") else ""


class NotificationReadForm(forms.Form):
    """Mark one notification read (its id) or all of them (no id)."""

    notification = forms.IntegerField(required=False, min_value=1)
