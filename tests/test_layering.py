"""The layering rules that import-linter cannot express, checked on the source itself.

import-linter (``lint-imports``, run by ``make test``) holds the app layers and the engines'
purity; these tests hold the rules about what a view may do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _our_modules(name: str) -> list[Path]:
    """Every ``name`` module (e.g. ``views.py``) of the project's own apps."""
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        ours = path.parent == BASE_DIR  # an app folder at the top, not one in .venv
        if ours and (path / name).exists():
            found.append(path / name)
    return found


def _objects_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(BASE_DIR)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]


@pytest.mark.parametrize("module", ["views.py", "api.py"])
def test_no_view_module_touches_a_manager_directly(module):
    """Views and API views read through selectors and write through services, which apply
    the user's scope and record the audit trail; ``Model.objects`` in a view skips both."""
    modules = _our_modules(module)
    assert modules, f"no {module} found: the test would pass vacuously"
    offenders = [use for path in modules for use in _objects_uses(path)]
    assert offenders == []
