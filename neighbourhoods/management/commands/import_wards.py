from pathlib import Path

from django.core.management.base import CommandError

from dataprotection.audit.commands import AuditedCommand
from neighbourhoods.selectors import district_names_beside
from neighbourhoods.services import WardImportError, wards_import_geojson


class Command(AuditedCommand):
    help = (
        "Import ONS ward boundary GeoJSON files (properties WDxxCD / WDxxNM, any year). "
        "Each file is imported atomically; re-importing updates wards in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="GeoJSON FeatureCollection files")

    def handle(self, *args, files, **options):
        created = updated = 0
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{path}: cannot be read ({exc})") from exc
            try:
                result = wards_import_geojson(
                    text=text, source=str(path), district_names=district_names_beside(path=path)
                )
            except WardImportError as exc:
                raise CommandError(str(exc)) from exc
            created += result.created
            updated += result.updated
            self.stdout.write(f"{path}: {result.created} created, {result.updated} updated")
        self.stdout.write(self.style.SUCCESS(f"{created + updated} wards imported ({created} new, {updated} updated)"))
