"""The filter form of the audit page."""

from django import forms

from audit.selectors import audit_object_types, audit_usernames


class AuditFilterForm(forms.Form):
    user = forms.ChoiceField(required=False)
    object_type = forms.ChoiceField(required=False, label="Object type")
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Any user")] + [(u, u) for u in audit_usernames()]
        self.fields["object_type"].choices = [("", "Any type")] + [
            (t, t) for t in audit_object_types()
        ]

    def selector_filters(self) -> dict:
        """Keyword arguments for ``audit_entries``; none when the form is empty."""
        if not self.is_bound:
            return {}
        data = self.cleaned_data
        return {
            "username": data["user"],
            "object_type": data["object_type"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned
