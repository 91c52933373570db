"""Serve front-end libraries that Python packages ship, so no CDN and no copied files.

``vendor/plotly.min.js`` is the plotly.js bundled with the ``plotly`` package and
``vendor/htmx-2.min.js`` the htmx bundled with ``django-htmx``; both arrive with ``pip install``.
"""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


def _vendored_files() -> dict[str, Path]:
    import django_htmx
    import plotly

    return {
        "vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
        "vendor/htmx-2.min.js": Path(django_htmx.__file__).parent
        / "static"
        / "django_htmx"
        / "htmx-2.min.js",
    }


class VendoredPackageFinder(BaseFinder):
    """A staticfiles finder over a fixed map of files inside installed packages."""

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        source = _vendored_files().get(path)
        if source is None or not source.exists():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for name, source in _vendored_files().items():
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(Path(name).parent)
            yield source.name, storage
