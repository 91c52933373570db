"""The upload form of the import page: format, files and the two import options."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from imports.formats import FORMAT_CHOICES
from imports.gaps import READ_AS_MISSING, READ_AS_ZERO
from imports.readers import ImportFileError, check_upload_size, sniff_stream


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (Django's documented pattern)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        # An empty list is no file at all: the single-file check reports the required field.
        return [single(data or None, initial)]


class ImportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="sop")
    files = MultipleFileField(
        help_text="CSV (UTF-8), CSV.GZ or XLSX. For the S&OP format name each file after what "
        "it holds: sales*.csv, stores*, skus*, inventory*, supply_orders*, promotions*, "
        "events*, indicators*, closures*.",
    )
    grain = forms.ChoiceField(
        choices=[("", "Detect from the dates"), ("D", "Daily"), ("W", "Weekly")],
        required=False,
        label="Sales grain",
    )
    gaps = forms.ChoiceField(
        choices=[
            (READ_AS_MISSING, "Missing: the store did not report (left out of forecasts)"),
            (READ_AS_ZERO, "Zero: the store sold nothing"),
        ],
        initial=READ_AS_MISSING,
        required=False,
        label="A store with no sales rows in a period",
        help_text="A SKU without a row in a store that reported the period is zero sales "
        "either way.",
    )
    create_missing = forms.BooleanField(
        required=False,
        label="Create missing master data",
        help_text="Stores, SKUs, warehouses and regions the facts name but that do not exist "
        "are created with default values instead of being reported.",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid rows",
        help_text="Write the valid rows and report the others. Without it, one bad row means "
        "nothing is written.",
    )

    def clean_gaps(self) -> str:
        return self.cleaned_data["gaps"] or READ_AS_MISSING

    def clean_files(self) -> list[UploadedFile]:
        files = self.cleaned_data["files"]
        problems = []
        for upload in files:
            try:
                check_upload_size(upload.name, upload.size)
                sniff_stream(upload, upload.name)
            except ImportFileError as exc:
                problems.append(str(exc))
        if problems:
            raise forms.ValidationError(problems)
        names = [upload.name.lower() for upload in files]
        if len(set(names)) != len(names):
            raise forms.ValidationError("Two of the files have the same name.")
        return files
