"""``manage.py evaluate_anomalies``: detection quality against ground truth.

``--dataset demo`` scans the demo company and scores the inbox against the labels the
generator stored; ``--dataset nab PATH`` runs the detectors on Numenta Anomaly Benchmark
files (``anomalies.nab``).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anomalies.evaluation import demo_evaluate
from anomalies.nab import NabInputError, nab_evaluate, nab_report

COLUMNS = ("labels", "found", "recall", "alerts", "true_alerts", "precision", "f1")


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


class Command(BaseCommand):
    help = "Score anomaly detection against ground truth: the demo's labels or NAB files."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", choices=["demo", "nab"], default="demo")
        parser.add_argument("path", nargs="?", help="NAB: a folder of NAB-format files.")
        parser.add_argument("--out", help="NAB: write every flagged point to this CSV.")
        parser.add_argument("--labels", help="NAB: the combined_windows.json to score with.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--no-rescan",
            action="store_true",
            help="Demo: score the alerts already stored instead of scanning first.",
        )

    def handle(self, *args, **options):
        if options["dataset"] == "nab":
            self._nab(options)
            return
        progress = None if options["json"] else self._echo
        try:
            result = demo_evaluate(rescan=not options["no_rescan"], progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(
            f"Demo evaluation, reported on {result['report_from']} – {result['report_to']} "
            f"(settings tuned on the earlier periods); a label is found when an inbox alert "
            f"of its kind for its store and SKU overlaps it within ±{result['tolerance_days']} "
            f"days."
        )
        for title, key in (
            ("Reported (later data)", "report"),
            ("Tuning (earlier data)", "tuning"),
        ):
            self._table(title, result[key])

    def _nab(self, options) -> None:
        if not options["path"]:
            raise CommandError("--dataset nab needs PATH, a folder of NAB-format CSV files.")
        try:
            result = nab_evaluate(
                Path(options["path"]),
                labels=Path(options["labels"]) if options["labels"] else None,
                out=Path(options["out"]) if options["out"] else None,
            )
        except NabInputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, indent=2) if options["json"] else nab_report(result))

    def _echo(self, percent: float, message: str) -> None:
        self.stdout.write(f"[{percent:5.1f}%] {message}")

    def _table(self, title: str, scores: dict) -> None:
        self.stdout.write(f"\n{title}")
        header = f"{'kind':<20}" + "".join(f"{c:>12}" for c in COLUMNS) + f"{'days to detect':>16}"
        self.stdout.write(header)
        rows = [*scores["kinds"].items(), ("overall", scores["overall"])]
        for kind, row in rows:
            self.stdout.write(
                f"{kind:<20}"
                + "".join(f"{_fmt(row[c]):>12}" for c in COLUMNS)
                + f"{_fmt(row['mean_days_to_detect']):>16}"
            )
        self.stdout.write(
            "precision over every inbox alert: "
            f"{_fmt(scores['overall']['precision'])}; over the kinds with ground truth only: "
            f"{_fmt(scores['overall']['precision_labelled_kinds'])}"
        )
