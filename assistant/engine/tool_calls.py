"""Checking a model's tool call against the whitelist before anything runs.

A tool call is untrusted input: its name must be one of the whitelisted tools, and its
arguments must match the tool's JSON schema exactly (known keys only, right types, values
from the enums, bounded text). Only the subset of JSON schema the tools use is understood.
"""

from __future__ import annotations

import json
from typing import Any

MAX_TEXT = 200


class ToolCallError(ValueError):
    """A tool call that may not run: unknown tool, or arguments outside its schema."""


def parse_arguments(raw: object) -> dict[str, Any]:
    """Arguments as a dict: models send an object, some a JSON string of one."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as error:
            raise ToolCallError(f"arguments are not valid JSON ({error.msg})") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ToolCallError("arguments must be a JSON object")
    return raw


def _check(name: str, value: object, schema: dict[str, Any]) -> object:
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            raise ToolCallError(f"{name} must be text")
        if len(value) > schema.get("maxLength", MAX_TEXT):
            raise ToolCallError(f"{name} is too long")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise ToolCallError(f"{name} must be a whole number")
        value = int(value)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ToolCallError(f"{name} must be a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise ToolCallError(f"{name} must be true or false")
    elif kind == "array":
        if not isinstance(value, list):
            raise ToolCallError(f"{name} must be a list")
        item = schema.get("items", {})
        value = [_check(f"{name}[]", v, item) for v in value]
    elif kind == "object" and not isinstance(value, dict):
        # Only the shape: nested objects (a chart specification) are checked by the tool.
        raise ToolCallError(f"{name} must be an object")
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(str(v) for v in schema["enum"])
        raise ToolCallError(f"{name} {value!r} is not allowed; allowed values: {allowed}")
    if "minimum" in schema and value < schema["minimum"]:
        raise ToolCallError(f"{name} must be at least {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        raise ToolCallError(f"{name} must be at most {schema['maximum']}")
    return value


def check_arguments(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``arguments`` checked against an object ``schema``; unknown keys are refused."""
    properties = schema.get("properties", {})
    unknown = sorted(set(arguments) - set(properties))
    if unknown:
        allowed = ", ".join(properties) or "none"
        raise ToolCallError(f"unknown argument {unknown[0]!r}; allowed arguments: {allowed}")
    missing = [key for key in schema.get("required", []) if arguments.get(key) in (None, "")]
    if missing:
        raise ToolCallError(f"argument {missing[0]!r} is required")
    return {
        key: _check(key, value, properties[key])
        for key, value in arguments.items()
        if value is not None
    }
