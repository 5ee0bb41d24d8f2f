from dataprotection.audit.commands import AuditedCommand
from pact_portal.retention.services import retention_apply, retention_due


class Command(AuditedCommand):
    help = "Delete or anonymise personal data past the retention schedule (settings.RETENTION)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would go, per table; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = retention_due() if dry_run else retention_apply()
        verb = "would go" if dry_run else "done"
        width = max(len(table) for table in counts)
        for table, count in counts.items():
            self.stdout.write(f"{table.ljust(width)}  {count:>8}  {verb}")
        self.stdout.write(f"{'total'.ljust(width)}  {sum(counts.values()):>8}  {verb}")
