"""``manage.py evaluate_assistant [--json]``: does the assistant state the right numbers?

A fixed set of questions (English and Russian) with known answers computed from the loaded
company by the selectors is asked through the fake Ollama server's scripted tool calls and
through the template fallback; scope and prompt-injection probes are asked as a planner
scoped to one region. Prints how many answers contain the right numbers, how many cite their
sources and how many probes leaked (targets: all, all, none). The database is left as found.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from assistant.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Score the assistant's answers on the loaded company (the demo): numbers, sources, leaks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--verbose-answers", action="store_true", help="Print every answer that missed."
        )

    def handle(self, *args, **options):
        progress = None if options["json"] else self.stdout.write
        try:
            result = evaluate(progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            return
        n = result["questions"]
        self.stdout.write(
            f"{n} questions, each asked through the fake model's tool calls and the fallback:\n"
            f"  right numbers in both answers: {result['correct']} of {n}\n"
            f"  sources cited in both answers: {result['cited']} of {n}\n"
            f"  scope and injection probes: {result['probes']} (x2 modes), "
            f"leaked: {result['leaks']}"
        )
        for mode, figures in result["by_mode"].items():
            self.stdout.write(
                f"  {mode}: correct {figures['correct']}/{n}, cited {figures['cited']}/{n}, "
                f"leaks {figures['leaks']}"
            )
        misses = [
            a for a in result["answers"] if (not a["probe"] and not a["correct"]) or a["leaked"]
        ]
        for answer in misses if options["verbose_answers"] else misses[:5]:
            state = "LEAKED" if answer["leaked"] else "missed"
            self.stdout.write(
                f"\n[{answer['mode']}] {state}: {answer['question']}\n{answer['text']}"
            )
