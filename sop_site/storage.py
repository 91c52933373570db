"""Static files under content-hashed, compressed names, collected quickly on every start.

``make run`` collects static files each time it starts. WhiteNoise's storage compresses
every file again on each run, plotly.js's megabytes included; a hashed name changes with
the content, so a hashed file whose compressed copy exists is already compressed right.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedManifestStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage that compresses only new hashed files."""

    def compress_files(self, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
        return super().compress_files([p for p in paths if not self.exists(f"{p}.gz")])
