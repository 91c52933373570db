"""``manage.py ask "QUESTION" --user NAME``: the assistant's answer in the terminal.

Runs exactly what the chat panel runs (the user's scope, the model through tools, the
template fallback when no Ollama server answers) and prints the answer, its sources and the
tools it ran. A missing model is not an error: the grounded fallback is printed, exit 0.
"""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assistant.answering import answer_question


class Command(BaseCommand):
    help = "Ask the planning assistant a question as a user (within that user's scope)."

    def add_arguments(self, parser):
        parser.add_argument("question", help="The question, in English or Russian.")
        parser.add_argument("--user", required=True, help="Username whose scope applies.")
        parser.add_argument("--json", action="store_true", help="Print the answer as JSON.")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        answer = answer_question(user=user, question=options["question"])
        if options["json"]:
            self.stdout.write(
                json.dumps(answer.as_dict(), ensure_ascii=False, indent=2, default=str)
            )
            return
        self.stdout.write(answer.text)
        if answer.notice:
            self.stdout.write(f"\n({answer.notice})")
        if answer.sources:
            self.stdout.write("\nSources:")
            for source in answer.sources:
                self.stdout.write(f"  - {source.label}: {source.url}")
        if answer.tool_runs:
            self.stdout.write("Tools run:")
            for run in answer.tool_runs:
                state = "ok" if run.ok else "refused"
                arguments = json.dumps(run.arguments, ensure_ascii=False, default=str)
                self.stdout.write(f"  - {run.tool} {arguments} [{state}]")
        if answer.chart:
            self.stdout.write("Chart spec: " + json.dumps(answer.chart["spec"], ensure_ascii=False))
