from django.conf import settings
from django.core.management.base import BaseCommand

from pact_portal.databases.tuning import random_page_cost_apply


class Command(BaseCommand):
    help = (
        "Keep the planner's random_page_cost (settings DATABASE_RANDOM_PAGE_COST) on the database itself, "
        "for deployments behind PgBouncer, which refuses per-connection options. Run after migrate."
    )

    def handle(self, *args, **options):
        if not settings.DATABASE_RANDOM_PAGE_COST:
            self.stdout.write("DATABASE_RANDOM_PAGE_COST is empty: the server's own setting stays.")
            return
        value = float(settings.DATABASE_RANDOM_PAGE_COST)
        name = random_page_cost_apply(using="default", value=value)
        if name is None:
            self.stdout.write("Not PostgreSQL: nothing to set.")
        else:
            self.stdout.write(f"random_page_cost = {value} on database {name} (new sessions).")
