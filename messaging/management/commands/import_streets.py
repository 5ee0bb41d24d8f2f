"""Load a street and address list (CSV; columns in messaging.doorknock.imports) into the wards'
lists. All or nothing: any bad row is reported with its line and nothing is loaded."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from dataprotection.audit.commands import AuditedCommand
from messaging.doorknock import services


class Command(AuditedCommand):
    help = "Load a CSV street and address list (ward_code, street, number, postcode) for door-knock rounds."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--synthetic", action="store_true", help="Mark the streets as made-up (demo) data.")

    def handle(self, *args, path: Path, synthetic: bool, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        try:
            result = services.street_list_import(data=data, actor=None, is_synthetic=synthetic)
        except ValidationError as error:
            raise CommandError("Nothing was loaded:\n" + "\n".join(error.messages)) from error
        self.stdout.write(
            f"{result.streets_created} new streets, {result.addresses_created} new addresses "
            f"({result.addresses_already_listed} already listed)."
        )
