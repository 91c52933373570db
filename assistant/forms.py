"""The assistant's forms: a question, a summary to start, an upload to profile, its mapping,
and the fields of a chart specification."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.scoping import Scope
from assistant.engine.chart_spec import CHART_TYPES, DIMENSIONS, FILTER_KEYS, MEASURES, PERIODS
from assistant.import_help import DATE_FORMATS, NOT_MAPPED, FileProfile
from assistant.job_params import SUMMARY_SUBJECTS, SummaryParams
from assistant.services import MAX_QUESTION_CHARS
from assistant.summaries import pilots_visible
from imports.formats.sop import SPECS
from imports.readers import ImportFileError, check_upload_size, sniff_stream
from masterdata.models import SKU, Store

UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".xlsx")


class AskForm(forms.Form):
    question = forms.CharField(
        max_length=MAX_QUESTION_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "e.g. weekly sales by region this year"}
        ),
        help_text="In English or Russian. Answers use only data you may see.",
    )


class SummaryForm(forms.Form):
    subject = forms.ChoiceField(choices=list(SUMMARY_SUBJECTS.items()))
    store = forms.CharField(required=False, help_text="Store code (forecast series).")
    sku = forms.CharField(required=False, label="SKU", help_text="SKU code (forecast series).")
    alert = forms.IntegerField(required=False, min_value=1, help_text="Alert number.")
    pilot = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["pilot"].queryset = pilots_visible(scope=scope)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        subject = data.get("subject")
        try:
            if subject == "forecast":
                store = Store.objects.visible_to(self.scope).filter(code=data.get("store")).first()
                sku = SKU.objects.visible_to(self.scope).filter(code=data.get("sku")).first()
                if store is None or sku is None:
                    raise forms.ValidationError(
                        "Give the code of a store and of a SKU in your planning scope."
                    )
                data["params"] = SummaryParams(subject=subject, object_id=store.pk, sku_id=sku.pk)
            elif subject == "alert":
                data["params"] = SummaryParams(subject=subject, object_id=data.get("alert"))
            elif subject == "pilot":
                pilot = data.get("pilot")
                data["params"] = SummaryParams(subject=subject, object_id=pilot and pilot.pk)
            elif subject:
                data["params"] = SummaryParams(subject=subject)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="One CSV (UTF-8), CSV.GZ or XLSX file, as your system wrote it."
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError("Upload a .csv, .csv.gz or .xlsx file.")
        try:
            check_upload_size(upload.name, upload.size)
            sniff_stream(upload, upload.name)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


def _field_name(column: str) -> str:
    return f"map_{column}"


class MappingForm(forms.Form):
    """The proposed mapping, for the user to confirm or change: one choice per sop column."""

    kind = forms.ChoiceField(choices=[(kind, kind) for kind in SPECS], label="The file holds")
    date_format = forms.ChoiceField(
        choices=[(key, label) for key, (_fmt, label) in DATE_FORMATS.items()],
        label="Dates are written as",
    )
    create_missing = forms.BooleanField(
        required=False,
        label="Create missing master data",
        help_text="Stores and SKUs the file names but that do not exist are created.",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid rows",
        help_text="Without it, one bad row means nothing is written.",
    )

    def __init__(self, profile: FileProfile, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind_shown = kind
        choices = [(NOT_MAPPED, "— not in the file —")] + [
            (column.name, column.name) for column in profile.columns
        ]
        for column in SPECS[kind].columns:
            self.fields[_field_name(column.name)] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=column.name + (" (required)" if column.required else ""),
            )

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[_field_name(c.name)] for c in SPECS[self.kind_shown].columns]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") != self.kind_shown:
            raise forms.ValidationError("The kind of table changed; check the mapping again.")
        mapping = {
            c.name: data.get(_field_name(c.name), "") for c in SPECS[self.kind_shown].columns
        }
        used = [source for source in mapping.values() if source]
        if len(used) != len(set(used)):
            raise forms.ValidationError("One column of the file is mapped to two fields.")
        data["mapping"] = mapping
        return data


def mapping_initial(*, kind: str, mapping: dict[str, str], date_format: str) -> dict[str, str]:
    initial = {"kind": kind, "date_format": date_format}
    initial.update({_field_name(target): source for target, source in mapping.items()})
    return initial


class ChartSpecForm(forms.Form):
    """A chart specification as a small form. Fields are free text on purpose: the engine's
    ``validate_chart_spec`` is the one judge of what is allowed, and its message names the
    field it refuses (the form only splits lists)."""

    measure = forms.CharField(help_text=", ".join(MEASURES))
    dimensions = forms.CharField(
        required=False, help_text=f"One or two, comma-separated: {', '.join(DIMENSIONS)}"
    )
    filters = forms.CharField(
        required=False,
        help_text=f"e.g. region: NORTH, SOUTH; category: DRINKS ({', '.join(FILTER_KEYS)})",
    )
    period = forms.CharField(help_text=", ".join(PERIODS))
    chart_type = forms.CharField(label="Chart type", help_text=", ".join(CHART_TYPES))
    compare_last_year = forms.BooleanField(required=False, label="Against last year")
    title = forms.CharField(required=False)

    @staticmethod
    def initial_from(spec: dict[str, Any]) -> dict[str, Any]:
        filters = spec.get("filters") or {}
        return {
            "measure": spec.get("measure", ""),
            "dimensions": ", ".join(spec.get("dimensions") or []),
            "filters": "; ".join(f"{key}: {', '.join(codes)}" for key, codes in filters.items()),
            "period": spec.get("period", ""),
            "chart_type": spec.get("chart_type", ""),
            "compare_last_year": bool(spec.get("compare_last_year")),
            "title": spec.get("title", ""),
        }

    def raw_spec(self) -> dict[str, Any]:
        """The edited specification as JSON, for ``validate_chart_spec`` to judge."""
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        for part in (data.get("filters") or "").split(";"):
            if not part.strip():
                continue
            key, _, codes = part.partition(":")
            filters[key.strip()] = [code.strip() for code in codes.split(",") if code.strip()]
        return {
            "measure": data.get("measure", "").strip(),
            "dimensions": [
                d.strip() for d in (data.get("dimensions") or "").split(",") if d.strip()
            ],
            "filters": filters,
            "period": data.get("period", "").strip(),
            "chart_type": data.get("chart_type", "").strip(),
            "compare_last_year": bool(data.get("compare_last_year")),
            "title": (data.get("title") or "").strip(),
        }
