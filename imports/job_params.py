"""The parameters of an import job, typed and validated, as stored on its job row."""

from __future__ import annotations

from dataclasses import dataclass

from imports.formats import PARSERS
from imports.gaps import GAP_READINGS, READ_AS_MISSING
from jobs.registry import JobParams

GRAINS = ("", "D", "W")


@dataclass(frozen=True)
class ImportParams(JobParams):
    """Which files to import and how.

    ``paths`` are the files (or folders) to read; ``files`` the names a user uploaded them
    under, for the import list. ``grain`` is ``D`` or ``W``, or empty to detect it from the
    dates. ``hint`` is the advice shown when a referenced store or SKU does not exist.
    ``gaps`` says how store-periods without any sales row are read (``imports.gaps``).
    """

    format: str
    paths: tuple[str, ...]
    files: tuple[str, ...] = ()
    create_missing: bool = False
    skip_invalid: bool = False
    grain: str = ""
    hint: str = ""
    gaps: str = READ_AS_MISSING

    def __post_init__(self) -> None:
        if self.format not in PARSERS:
            raise ValueError(f"format must be one of {', '.join(sorted(PARSERS))}")
        if isinstance(self.paths, str) or not self.paths:
            raise ValueError("paths must list at least one file or folder")
        self._normalise("paths", tuple(str(p) for p in self.paths))
        self._normalise("files", tuple(str(f) for f in self.files))
        grain = self.grain or ""
        if grain not in GRAINS:
            raise ValueError("grain must be D (daily), W (weekly) or empty (detected)")
        self._normalise("grain", grain)
        if self.gaps not in GAP_READINGS:
            raise ValueError("gaps must be missing (the default) or zero")
