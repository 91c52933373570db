"""``manage.py bootstrap``: what ``make run`` does before serving.

Migrates, loads the demo company into an empty database, runs the engines once, and prints
the demo log-ins. On a second run everything already exists and it returns in seconds.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.services import demo_users_ensure
from forecasting.selectors import forecast_exists
from history.models import SalesFact


class Command(BaseCommand):
    help = "Prepare the database and the demo company for `make run`."

    def add_arguments(self, parser):
        parser.add_argument(
            "--forecasts",
            default="daily,weekly",
            help="Granularities to forecast when no forecast exists yet (comma-separated).",
        )

    def handle(self, *args, **options):
        self.stdout.write("Migrating the database")
        call_command("migrate", interactive=False, verbosity=0)
        if not SalesFact.objects.exists():
            self.stdout.write("Loading the demo company (first start only)")
            call_command("load_demo", stdout=self.stdout)
        else:
            self.stdout.write("Demo company already loaded")
        for granularity in filter(None, options["forecasts"].split(",")):
            if not forecast_exists(granularity):
                self.stdout.write(f"Forecasting the {granularity} demand (first start only)")
                call_command("forecast", granularity=granularity, stdout=self.stdout)
        logins = demo_users_ensure()
        self.stdout.write(self.style.SUCCESS("Demo log-ins (user / password):"))
        for username, role, password in logins:
            self.stdout.write(f"  {role:<10} {username} / {password}")
