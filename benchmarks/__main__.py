"""``python -m benchmarks [NAME ...]``: list and run benchmark modules of this package."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if argv and argv[0] in ("-l", "--list"):
        print("\n".join(names))
        return 0
    unknown = [n for n in argv if n not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}")
        return 2
    for name in argv or names:
        print(f"== {name}")
        rc = importlib.import_module(f"benchmarks.{name}").main()
        if rc:
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
