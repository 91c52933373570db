"""Services and selectors never see the HTTP request, and the apps below audit never import it.

Who acts travels in the audit context; a ``request`` parameter would bring the plumbing back.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
OUR_APPS = [
    Path(config.path)
    for config in apps.get_app_configs()
    if Path(config.path).is_relative_to(PROJECT)
]
LAYER_MODULES = ("services.py", "selectors.py")


def _modules(app: Path, names: tuple[str, ...]) -> list[Path]:
    return sorted(p for name in names for p in app.rglob(name) if "migrations" not in p.parts)


def _functions_taking_request(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            names = [
                a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
            ]
            if "request" in names:
                found.append(f"{path.relative_to(PROJECT)}:{node.lineno} {node.name}")
    return found


def test_the_walk_sees_the_service_modules():
    names = {str(p.relative_to(PROJECT)) for app in OUR_APPS for p in _modules(app, LAYER_MODULES)}
    assert {"accounts/services.py", "masterdata/services.py", "audit/services.py"} <= names


def test_no_service_or_selector_takes_a_request():
    offenders = [
        hit
        for app in OUR_APPS
        for path in _modules(app, LAYER_MODULES)
        for hit in _functions_taking_request(path)
    ]
    assert offenders == []


def _imported_apps(path: Path) -> set[str]:
    tops = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            tops |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


@pytest.mark.parametrize("app", ["accounts", "masterdata"])
def test_apps_below_audit_do_not_import_it(app):
    importers = [
        str(path.relative_to(PROJECT))
        for path in (PROJECT / app).rglob("*.py")
        if "audit" in _imported_apps(path)
    ]
    assert importers == []
