"""``manage.py simulate_pilot``: check the pilot statistics on the company's own history."""

import json

from django.core.management.base import BaseCommand, CommandError

from pilots.history_check import simulate_history


class Command(BaseCommand):
    help = (
        "Simulate pilots on the sales history: with --aa, no true effect (the false-positive "
        "rate should be 5 %); with --effect D, a planted effect of D between-store standard "
        "deviations (the detected power beside the power the design predicted)."
    )

    def add_arguments(self, parser):
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--aa", action="store_true", help="A/A pilots: no true effect.")
        kind.add_argument("--effect", type=float, help="Planted effect, in standard deviations.")
        parser.add_argument("--runs", type=int, default=1000)
        parser.add_argument("--pre-weeks", type=int, default=13)
        parser.add_argument("--pilot-weeks", type=int, default=13)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--history-weeks",
            type=int,
            help="Start the simulated pilots within the last N weeks of history (default: all).",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, **options):
        if not 10 <= options["runs"] <= 100_000:
            raise CommandError("--runs must be between 10 and 100,000.")
        if options["effect"] is not None and not 0 < options["effect"] <= 5:
            raise CommandError("--effect must be above 0 and at most 5 standard deviations.")
        try:
            results = simulate_history(
                runs=options["runs"],
                pre_weeks=options["pre_weeks"],
                pilot_weeks=options["pilot_weeks"],
                standardised_effect=options["effect"] or 0.0,
                seed=options["seed"],
                history_weeks=options["history_weeks"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            key = "false_positive_rate" if options["aa"] else "detected_power"
            payload = {
                kpi: {key: r.rejection_rate, "runs": r.runs}
                | ({} if options["aa"] else {"predicted_power": r.predicted_power})
                for kpi, r in results.items()
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        if options["aa"]:
            self.stdout.write(f"A/A pilots: {options['runs']} per KPI, α = 0.05 (target 3–7 %)")
            for kpi, r in results.items():
                self.stdout.write(f"  {kpi:<22} false-positive rate {r.rejection_rate:6.1%}")
        else:
            self.stdout.write(
                f"Planted effect {options['effect']} SD: {options['runs']} pilots per KPI, α = 0.05"
            )
            for kpi, r in results.items():
                gap = (r.rejection_rate - r.predicted_power) * 100
                self.stdout.write(
                    f"  {kpi:<22} detected power {r.rejection_rate:6.1%}   predicted "
                    f"{r.predicted_power:6.1%}   gap {gap:+5.1f} points"
                )
