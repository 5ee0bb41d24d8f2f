"""Record every ward's In the Know membership at the close of past months, for the returns.

Beat records each month as it closes; run this after loading history from elsewhere (`--replace`
recounts months already recorded, from the members as they are now)."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from dataprotection.audit.commands import AuditedCommand
from reports.services import MEMBERSHIP_MONTHS_KEPT, membership_record_closed_months

MAX_MONTHS = 240


class Command(AuditedCommand):
    help = "Record each ward's In the Know membership at the close of the last N months."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=MEMBERSHIP_MONTHS_KEPT, help="closed months back from now")
        parser.add_argument("--replace", action="store_true", help="recount months already recorded")

    def handle(self, *args, months, replace, **options):
        # Beyond twenty years the months predate the portal, and far enough back they predate dates.
        if not 1 <= months <= MAX_MONTHS:
            raise CommandError(f"--months must be at least 1 and at most {MAX_MONTHS}.")
        try:
            written = membership_record_closed_months(count=months, replace=replace)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Recorded {written} ward-months over the last {months} closed months.")
