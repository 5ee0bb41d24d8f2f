from django.core.management.base import BaseCommand, CommandError

from neighbourhoods.demo import DEMO_PASSWORD, demo_logins
from neighbourhoods.models import Ward


class Command(BaseCommand):
    help = "Print one demo login per role."

    def handle(self, *args, **options):
        try:
            rows = demo_logins()
        except Ward.DoesNotExist as exc:
            raise CommandError("The demo force is not loaded: run `manage.py seed_demo` first.") from exc
        width = max(len(email) for _, email, _ in rows)
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, email, area in rows:
            self.stdout.write(f"  {email:<{width}}  {role} – {area}")
