"""Checking that every number an answer states came from a tool result (or the question).

Numbers are read the way people and models write them in English and Russian: ``1,234.5``,
``1 234,5``, ``12.5 %``, ``1.2 million``, ``3 тыс.``. A number is grounded when it matches a
number the tools returned (or the asker wrote) up to the rounding a writer would apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(
    r"(?<![\w.,])[-+−]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?![\d])"
    r"|(?<![\w.,])[-+−]?\d+(?:[.,]\d+)*(?![\d])"
    r"(?:\s*(?P<scale>million|mln|m\b|млн|thousand|тыс|k\b|bn|billion|млрд))?",
    re.IGNORECASE,
)
_SCALES = {
    "million": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "млн": 1e6,
    "thousand": 1e3,
    "тыс": 1e3,
    "k": 1e3,
    "bn": 1e9,
    "billion": 1e9,
    "млрд": 1e9,
}


def _readings(token: str) -> list[float]:
    """The values a written number may mean (``1,234`` is 1234 in English, 1.234 in Russian)."""
    token = token.replace("−", "-").replace("\u00a0", " ").replace("\u202f", " ")
    sign = -1.0 if token.startswith("-") else 1.0
    token = token.lstrip("+-").replace(" ", "")
    readings = []
    if "," in token and "." in token:
        # 1,234.5 (English) or 1.234,5 (German style)
        if token.rfind(".") > token.rfind(","):
            readings.append(token.replace(",", ""))
        else:
            readings.append(token.replace(".", "").replace(",", "."))
    elif "," in token:
        parts = token.split(",")
        if all(len(p) == 3 for p in parts[1:]):
            readings.append(token.replace(",", ""))
        if len(parts) == 2:
            readings.append(token.replace(",", "."))
    elif token.count(".") > 1:
        readings.append(token.replace(".", ""))
    else:
        readings.append(token)
    values = []
    for reading in readings:
        try:
            values.append(sign * float(reading))
        except ValueError:
            continue
    return values


def numbers_in(text: str) -> list[tuple[str, list[float], bool]]:
    """Each number written in ``text``: its text, the values it may mean, and whether it was
    scaled (million, тыс. …) and so rounded coarsely."""
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0)
        scale_word = match.group("scale")
        token = raw[: match.start("scale") - match.start()].strip() if scale_word else raw
        values = _readings(token)
        if scale_word:
            factor = _SCALES[scale_word.lower().rstrip(".")]
            values = [v * factor for v in values]
        if values:
            found.append((raw.strip(), values, bool(scale_word)))
    return found


def _close(written: float, known: float, *, coarse: bool) -> bool:
    if coarse:
        return abs(written - known) <= 0.05 * abs(known) + 1e-9
    # a writer rounds to whole units, one decimal or three significant digits
    return abs(written - known) <= max(0.5, 0.005 * abs(known)) + 1e-9


def mentions(text: str, value: float, *, exact: bool = False) -> bool:
    """Whether ``text`` states ``value`` (rounded as answers round; ``exact`` for counts)."""
    for _, readings, coarse in numbers_in(text):
        for reading in readings:
            if exact and reading == value:
                return True
            if not exact and _close(reading, value, coarse=coarse):
                return True
    return False


def known_numbers(texts: Iterable[str]) -> list[float]:
    """Every number in ``texts`` (tool results as JSON, the question), every reading of it."""
    values: list[float] = []
    for text in texts:
        for _, readings, _coarse in numbers_in(text):
            values.extend(readings)
    return values


def ungrounded_numbers(answer: str, known: list[float]) -> list[str]:
    """The numbers ``answer`` states that match no known number."""
    missing = []
    for raw, readings, coarse in numbers_in(answer):
        if not any(_close(r, k, coarse=coarse) for r in readings for k in known):
            missing.append(raw)
    return missing
