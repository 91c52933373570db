"""Optimistic locking of edit forms: a stale save is refused and the newer values shown.

An edit form carries the version of the row as it was shown (a digest of the edited values,
like an HTTP ETag), and the service compares it with the row it has locked before writing.
A digest rather than a counter column: every writer (another admin, an import, the API)
changes it without having to remember to bump anything.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models


class StaleEdit(Exception):
    """The row changed since the form was shown; ``current`` holds its values now."""

    def __init__(self, current: dict[str, Any]):
        super().__init__("Someone else saved this record since you opened it.")
        self.current = current


def version_of(values: dict[str, Any]) -> str:
    payload = json.dumps(values, sort_keys=True, default=_plain)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _plain(value: Any) -> str:
    """Text of a value, equal for equal decimals (1.5 and 1.5000 as stored)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def row_values(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` (foreign keys as ids) in their field's Python type, so an
    instance built in memory and the same row read back have the same version."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = field.to_python(getattr(instance, field.attname))
    return values


def row_version(instance: models.Model, fields: list[str]) -> str:
    return version_of(row_values(instance, fields))


def check_version(*, expected: str | None, current: dict[str, Any]) -> None:
    """Refuse the save when the form's version is not the row's version now."""
    if expected is not None and expected != version_of(current):
        raise StaleEdit(current)


def version_field() -> forms.CharField:
    """The hidden field carrying the version a form was shown with (required: a post
    without one is refused rather than saved blind)."""
    return forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": "This form is incomplete; reload the page and edit again."},
    )


class VersionedModelForm(forms.ModelForm):
    """A model form whose ``version`` is that of its instance's edited fields."""

    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = row_version(self.instance, list(self._meta.fields))

    def changes(self) -> dict[str, Any]:
        """The cleaned model fields, without the version."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}
