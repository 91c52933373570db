"""Which models the audit log follows, and how each one is shown in it.

Declared in ``settings.AUDITED_MODELS`` (model label → options) rather than in the apps
themselves, so that apps below ``audit`` (``accounts``, ``masterdata``) are audited without
importing it. Options, all optional:

- ``object_type``: the name of the model in the log (default: its model name);
- ``fields``: the fields recorded (default: every concrete field but the primary key);
- ``secret``: fields whose value is never recorded; a change shows as ``"changed"``;
- ``m2m``: many-to-many fields whose members are recorded (as their text) when they change;
- ``identity``: a field that names the object in the log instead of its primary key (an API
  token's primary key is the token itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

SECRET_SHOWN_AS = "changed"  # noqa: S105 (a marker, not a password)
OPTIONS = {"object_type", "fields", "secret", "m2m", "identity"}


class _SnapshotEncoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django writes them; any other value (a time zone) as text."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def json_safe(value: Any) -> Any:
    """``value`` as JSON-ready data, so any snapshot fits a JSONField."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=_SnapshotEncoder))


@dataclass(frozen=True)
class AuditedModel:
    model: type[models.Model]
    object_type: str
    fields: tuple[models.Field, ...]
    secret: frozenset[str]
    m2m: tuple[str, ...]
    identity: str | None

    def touches(self, update_fields: frozenset[str] | None) -> bool:
        """Whether a save of ``update_fields`` (None: every field) can change a recorded field."""
        return update_fields is None or any(f.name in update_fields for f in self.fields)

    def values(self, instance: models.Model) -> dict[str, Any]:
        """The recorded fields of ``instance`` as Python values (foreign keys by id)."""
        return {f.name: f.to_python(getattr(instance, f.attname)) for f in self.fields}

    def stored_values(self, pk: Any, using: str) -> dict[str, Any] | None:
        """The recorded fields as the database holds them now; None when the row is new."""
        row = (
            self.model._base_manager.using(using)
            .filter(pk=pk)
            .values(*(f.attname for f in self.fields))
            .first()
        )
        if row is None:
            return None
        return {f.name: f.to_python(row[f.attname]) for f in self.fields}

    def shown(
        self, values: dict[str, Any] | None, changed_from: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """``values`` as the log shows them: secrets left out, or, on the side after a change
        (``changed_from`` the values before, ``{}`` for a new object), marked as changed."""
        if values is None:
            return None
        shown = {name: value for name, value in values.items() if name not in self.secret}
        if changed_from is not None:
            for name in sorted(self.secret):
                if values.get(name) and values.get(name) != changed_from.get(name):
                    shown[name] = SECRET_SHOWN_AS
        return json_safe(shown)

    def members(self, instance: models.Model, field: str) -> list[str]:
        """The members of a many-to-many field as sorted text (group names, region names)."""
        return sorted(str(member) for member in getattr(instance, field).all())

    def object_id(self, instance: models.Model) -> str:
        if self.identity:
            return str(getattr(instance, self.model._meta.get_field(self.identity).attname))
        return str(instance.pk)

    def describe(self, instance: models.Model) -> str:
        return str(getattr(instance, self.identity) if self.identity else instance)


def _field(model: type[models.Model], name: str) -> models.Field:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise ImproperlyConfigured(f"AUDITED_MODELS: {model._meta.label} has no {name!r}") from exc


def audited_model(label: str, options: dict[str, Any]) -> AuditedModel:
    """One entry of ``AUDITED_MODELS``, checked against the model it names."""
    unknown = set(options) - OPTIONS
    if unknown:
        raise ImproperlyConfigured(f"AUDITED_MODELS[{label!r}]: unknown {sorted(unknown)}")
    model = apps.get_model(label)
    secret = frozenset(options.get("secret", ()))
    if "fields" in options:
        names = list(dict.fromkeys([*options["fields"], *sorted(secret)]))
        fields = tuple(_field(model, name) for name in names)
    else:
        fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    m2m = tuple(options.get("m2m", ()))
    for name in m2m:
        if not _field(model, name).many_to_many:
            raise ImproperlyConfigured(f"AUDITED_MODELS: {label}.{name} is not many-to-many")
    identity = options.get("identity")
    if identity:
        _field(model, identity)
    return AuditedModel(
        model=model,
        object_type=options.get("object_type", model._meta.model_name),
        fields=fields,
        secret=secret,
        m2m=m2m,
        identity=identity,
    )
