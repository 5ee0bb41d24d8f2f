import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from neighbourhoods.models import District, Neighbourhood, Ward

# ONS ward properties carry the boundary year in their prefix (WD13CD, WD23CD, ...), so any
# year's file imports without a code change.
WARD_CODE_KEY = re.compile(r"^WD\d{2}CD$")
WARD_NAME_KEY = re.compile(r"^WD\d{2}NM$")
DISTRICT_CODE_KEY = re.compile(r"^LAD\d{2}CD$")
DISTRICT_NAME_KEY = re.compile(r"^LAD\d{2}NM$")
# ASCII digits only: \d alone would take "E05١٢٣٤٥٦" as a ward code.
DISTRICT_CODE = re.compile(r"^[EWSN]0[6789][0-9]{6}\Z")
WARD_CODE = re.compile(r"^[EWSN]05[0-9]{6}\Z")
NAME_MAX_LENGTH = 120


class WardImportError(Exception):
    """A ward file that cannot be imported; the message names the file and the feature."""


@dataclass(frozen=True)
class ParsedWard:
    code: str
    name: str
    district_code: str
    district_name: str
    boundary: dict
    centroid_latitude: float
    centroid_longitude: float
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class WardImportResult:
    source: str
    created: int
    updated: int


def _property(properties: dict, pattern: re.Pattern) -> str | None:
    for key, value in properties.items():
        if pattern.match(key) and value not in (None, ""):
            return str(value).strip()
    return None


def _check_name(name: str, *, what: str) -> None:
    # PostgreSQL refuses NUL and unpaired surrogates outright; neither belongs in a place name.
    if not name.isprintable():
        raise ValueError(f"{what} contains control or invalid characters")
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"{what} is longer than {NAME_MAX_LENGTH} characters")


def _parse_feature(feature, *, index: int, district_code: str, district_name: str) -> ParsedWard:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("is not a GeoJSON Feature")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise ValueError("has properties that are not a JSON object")
    code = _property(properties, WARD_CODE_KEY)
    name = _property(properties, WARD_NAME_KEY)
    if not code or not WARD_CODE.match(code):
        raise ValueError(f"has no valid ONS ward code property (WDxxCD), found {code!r}")
    if not name:
        raise ValueError(f"({code}) has no ward name property (WDxxNM)")
    _check_name(name, what=f"({code}) ward name")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"({code} {name}) needs a Polygon or MultiPolygon geometry")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValueError(f"({code} {name}) has malformed coordinates: {exc}") from exc
    if geom.is_empty:
        raise ValueError(f"({code} {name}) has an empty boundary")
    if not geom.is_valid:
        raise ValueError(f"({code} {name}) has an invalid boundary: {explain_validity(geom)}")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError(f"({code} {name}) has coordinates outside WGS84 longitude/latitude")
    district_code = _property(properties, DISTRICT_CODE_KEY) or district_code
    district_name = _property(properties, DISTRICT_NAME_KEY) or district_name
    if district_code and not DISTRICT_CODE.match(district_code):
        raise ValueError(f"({code} {name}) has an invalid ONS district code (LADxxCD) {district_code!r}")
    if district_name:
        _check_name(district_name, what=f"({code} {name}) district name")
    centroid = geom.centroid
    return ParsedWard(
        code=code,
        name=name,
        district_code=district_code,
        district_name=district_name,
        # Stored as shapely read it, not as sent: coordinates the file gave as strings or booleans,
        # and any extra members, would otherwise reach the maps and the database.
        boundary=json.loads(json.dumps(mapping(geom))),
        centroid_latitude=centroid.y,
        centroid_longitude=centroid.x,
        bbox=(min_lon, min_lat, max_lon, max_lat),
    )


def wards_parse_geojson(*, text: str, source: str, district_names: dict[str, str] | None = None) -> list[ParsedWard]:
    """Parse and validate a whole ONS ward file before anything is written."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WardImportError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise WardImportError(f"{source}: not valid GeoJSON (nested too deeply)") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise WardImportError(f"{source}: expected a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise WardImportError(f"{source}: the FeatureCollection has no features")
    # The ONS district files are named by district code; the features may not repeat it.
    stem = Path(source).stem
    district_code = stem if DISTRICT_CODE.match(stem) else ""
    district_name = (district_names or {}).get(district_code, district_code)
    parsed, seen = [], set()
    for index, feature in enumerate(features):
        try:
            ward = _parse_feature(feature, index=index, district_code=district_code, district_name=district_name)
        except ValueError as exc:
            raise WardImportError(f"{source}: feature {index} {exc}") from exc
        if ward.code in seen:
            raise WardImportError(f"{source}: feature {index} ({ward.code}) repeats a ward already in the file")
        seen.add(ward.code)
        parsed.append(ward)
    return parsed


@transaction.atomic
def wards_import_geojson(*, text: str, source: str, district_names: dict[str, str] | None = None) -> WardImportResult:
    """Create or update every ward in one ONS GeoJSON file, all or nothing.

    Re-importing a file updates boundaries and names in place, keyed by ONS code, so wards keep
    their neighbourhood and everything attached to them.
    """
    parsed = wards_parse_geojson(text=text, source=source, district_names=district_names)
    districts = {}
    for ward in parsed:
        if ward.district_code and ward.district_code not in districts:
            district, _ = District.objects.update_or_create(
                code=ward.district_code, defaults={"name": ward.district_name or ward.district_code}
            )
            districts[ward.district_code] = district
    existing = {w.code: w for w in Ward.objects.filter(code__in=[p.code for p in parsed])}
    created = updated = 0
    for item in parsed:
        ward = existing.get(item.code) or Ward(code=item.code)
        ward.name = item.name
        ward.district = districts.get(item.district_code)
        ward.boundary = item.boundary
        ward.centroid_latitude = item.centroid_latitude
        ward.centroid_longitude = item.centroid_longitude
        ward.min_longitude, ward.min_latitude, ward.max_longitude, ward.max_latitude = item.bbox
        try:
            ward.full_clean(exclude=["neighbourhood"])
        except ValidationError as exc:
            raise WardImportError(f"{source}: ward {item.code} ({item.name}): {exc.messages[0]}") from exc
        if ward.pk:
            updated += 1
        else:
            created += 1
        ward.save()
    return WardImportResult(source=source, created=created, updated=updated)


@transaction.atomic
def neighbourhood_update_profile(*, neighbourhood: Neighbourhood, actor, **fields) -> Neighbourhood:
    """Change a neighbourhood's public profile (description and team contact details)."""
    allowed = {"name", "description", "public_email", "public_telephone"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(neighbourhood, name, value)
    neighbourhood.full_clean()
    neighbourhood.save(update_fields=[*fields, "updated_at"])
    return neighbourhood
