"""List the priorities agreed, and sign-offs recorded, that break the rule the community decides
at a held PACT or panel meeting of the neighbourhood (priorities.agreement). Read only: it changes
nothing, and exits non-zero when it finds any, so a deploy or a cron job can notice."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from priorities.selectors.dates import priority_date_problems

COLUMNS = (("Priority", 8), ("Neighbourhood", 20), ("Title", 32), ("Step", 10), ("Recorded", 16), ("Meeting", 30))


def _cell(value: str, width: int) -> str:
    value = " ".join(str(value).split())  # one line per record, whatever the text holds
    return value if len(value) <= width else value[: width - 1] + "…"


class Command(BaseCommand):
    help = "List priorities agreed or signed off other than at a held meeting of their own neighbourhood."

    def handle(self, *args, **options):
        problems = priority_date_problems()
        if not problems:
            self.stdout.write("Every agreement and sign-off was made at a held meeting of its own neighbourhood.")
            return
        header = " ".join(name.ljust(width) for name, width in COLUMNS) + " Problem"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for p in problems:
            recorded = f"{timezone.localtime(p.recorded_at):%Y-%m-%d %H:%M}"
            cells = (p.priority_id, p.neighbourhood, p.title, p.step, recorded, p.meeting)
            row = " ".join(_cell(value, width).ljust(width) for value, (_, width) in zip(cells, COLUMNS, strict=True))
            self.stdout.write(f"{row} {p.problem}")
        raise CommandError(f"{len(problems)} record(s) break the agreement and sign-off rules.", returncode=1)
