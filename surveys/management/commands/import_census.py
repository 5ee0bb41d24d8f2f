from pathlib import Path

from django.core.management.base import CommandError

from dataprotection.audit.commands import AuditedCommand
from surveys.census import census_import

# A whole county's file with the wrong ward list would print thousands of identical lines.
MAX_MESSAGES = 50


class Command(AuditedCommand):
    help = (
        "Import ward reference populations from ONS Census 2021 CSV tables (age or ethnic group, by "
        "electoral ward, long format). Each file is imported whole or not at all; importing a table "
        "again replaces that category's counts for its wards."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--synthetic", action="store_true", help="Mark the counts as synthetic (made up, not ONS figures)."
        )

    def handle(self, *args, files, synthetic, **options):
        failed = 0
        for path in files:
            try:
                with path.open(encoding="utf-8-sig", newline="") as file:
                    result = census_import(file=file, name=path.name, is_synthetic=synthetic)
            except (OSError, UnicodeDecodeError) as error:
                failed += 1
                self.stderr.write(f"{path}: cannot be read ({error}); nothing imported from it.")
                continue
            if result.ok:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path.name}: {result.table}, {result.rows_written} counts for {result.wards} wards"
                        f"{' (synthetic)' if synthetic else ''}."
                    )
                )
                continue
            failed += 1
            for message in result.errors[:MAX_MESSAGES]:
                self.stderr.write(message)
            if len(result.errors) > MAX_MESSAGES:
                self.stderr.write(f"… and {len(result.errors) - MAX_MESSAGES} more problems in {path.name}.")
            self.stderr.write(f"{path.name}: nothing imported from this file.")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files had problems and were not imported.")
