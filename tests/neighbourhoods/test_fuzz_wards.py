"""Property-based tests of the ONS ward GeoJSON import: whatever a file holds, the import either
takes every ward exactly as drawn or refuses the whole file with a WardImportError naming it, and
never fails with any other exception or half-writes a file."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from neighbourhoods.models import District, Ward
from neighbourhoods.services import WardImportError, wards_import_geojson, wards_parse_geojson

pytestmark = pytest.mark.django_db

# Fixed examples, so a CI failure is the same failure on every run and on a laptop.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SOURCE = "E07000117.json"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
# Printable (the import refuses control characters), and as a file would carry them: the import
# strips surrounding spaces.
place_names = (
    st.text(st.characters(categories=("L", "M", "N", "P", "S")) | st.just(" "), min_size=1, max_size=120)
    .map(str.strip)
    .filter(bool)
)
ward_codes = st.builds(lambda country, n: f"{country}05{n:06d}", st.sampled_from("EWSN"), st.integers(0, 999_999))
district_codes = st.builds(lambda n: f"E07{n:06d}", st.integers(0, 999_999))


@st.composite
def boxes(draw):
    """A rectangle well inside WGS84, as (west, south, east, north)."""
    west = draw(st.floats(-179.0, 178.0, allow_nan=False))
    south = draw(st.floats(-89.0, 88.0, allow_nan=False))
    width = draw(st.floats(1e-4, 1.0))
    height = draw(st.floats(1e-4, 1.0))
    return west, south, west + width, south + height


def polygon(box) -> dict:
    west, south, east, north = box
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@st.composite
def ward_features(draw, *, min_size=1, max_size=6):
    codes = draw(st.lists(ward_codes, min_size=min_size, max_size=max_size, unique=True))
    features = []
    for code in codes:
        prefix = draw(st.sampled_from(["WD13", "WD21", "WD23"]))
        properties = {f"{prefix}CD": code, f"{prefix}NM": draw(place_names)}
        if draw(st.booleans()):
            properties.update({"LAD23CD": draw(district_codes), "LAD23NM": draw(place_names)})
        features.append({"type": "Feature", "properties": properties, "geometry": polygon(draw(boxes()))})
    return features


def collection(features) -> dict:
    return {"type": "FeatureCollection", "features": features}


def parses_or_refuses(text: str):
    try:
        return wards_parse_geojson(text=text, source=SOURCE)
    except WardImportError as error:
        assert str(error).startswith(f"{SOURCE}: ")
        return None


def name_of(feature) -> str:
    return next(v for k, v in feature["properties"].items() if k.endswith("NM") and k.startswith("WD"))


@FUZZ
@given(text=st.text(max_size=200) | json_values.map(json.dumps))
def test_it_only_ever_refuses_arbitrary_input_with_a_named_error(text):
    parses_or_refuses(text)


@st.composite
def mutated_files(draw):
    """A good file with one value somewhere inside it replaced by arbitrary JSON."""
    data = collection(draw(ward_features(max_size=3)))
    parent, key = None, None
    node = data
    for _ in range(draw(st.integers(1, 7))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = draw(st.integers(0, len(node) - 1))
        else:
            break
        parent, node = node, node[key]
    if parent is not None:
        parent[key] = draw(json_values)
    return json.dumps(data)


@FUZZ
@given(text=mutated_files())
def test_it_only_ever_refuses_a_damaged_file_with_a_named_error(text):
    wards = parses_or_refuses(text)
    for ward in wards or []:
        # Whatever it took, it took as a well-formed boundary inside WGS84.
        geometry = shape(ward.boundary)
        assert geometry.is_valid and not geometry.is_empty
        west, south, east, north = geometry.bounds
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90
        assert ward.bbox == pytest.approx(geometry.bounds)


@settings(FUZZ, max_examples=25)
@given(features=ward_features(max_size=4))
def test_it_stores_every_ward_as_drawn_and_updates_in_place_on_reimport(features):
    with transaction.atomic():
        text = json.dumps(collection(features))
        first = wards_import_geojson(text=text, source=SOURCE)
        assert (first.created, first.updated) == (len(features), 0)
        pks = dict(Ward.objects.values_list("code", "pk"))
        for feature in features:
            ward = Ward.objects.get(code=next(v for k, v in feature["properties"].items() if k.endswith("CD")))
            assert ward.name == name_of(feature)
            drawn = shape(feature["geometry"])
            assert shape(ward.boundary).equals(drawn)
            bbox = (ward.min_longitude, ward.min_latitude, ward.max_longitude, ward.max_latitude)
            assert bbox == drawn.bounds
            assert bbox[0] <= ward.centroid_longitude <= bbox[2] and bbox[1] <= ward.centroid_latitude <= bbox[3]
            lad = feature["properties"].get("LAD23CD", "E07000117")
            assert ward.district.code == lad
        again = wards_import_geojson(text=text, source=SOURCE)
        assert (again.created, again.updated) == (0, len(features))
        assert dict(Ward.objects.values_list("code", "pk")) == pks
        transaction.set_rollback(True)


def feature(properties, geometry=None) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry or polygon((0, 50, 1, 51))}


BAD_FEATURES = st.sampled_from(
    [
        feature(["not", "an", "object"]),
        feature({"WD23CD": "E05١٢٣٤٥٦", "WD23NM": "Arabic-Indic digits"}),
        feature({"WD23CD": "E05999998", "WD23NM": "Nul\x00"}),
        feature({"WD23CD": "E05999998", "WD23NM": "\ud800"}),
        feature({"WD23CD": "E05999998", "WD23NM": "L" * 121}),
        feature({"WD23CD": "E05999998", "WD23NM": "Far", "LAD23CD": "X" * 40}),
        feature({"WD23CD": "E05999998", "WD23NM": "Empty"}, {"type": "Polygon", "coordinates": []}),
        feature({"WD23CD": "E05999998", "WD23NM": "Big"}, polygon((170, 50, 190, 51))),
    ]
)


def renamed(feature, name) -> dict:
    properties = {k: (name if k.startswith("WD") and k.endswith("NM") else v) for k, v in feature["properties"].items()}
    return {**feature, "properties": properties}


@settings(FUZZ, max_examples=25)
@given(features=ward_features(max_size=4), bad=BAD_FEATURES, at=st.integers(0, 4), new_name=place_names)
def test_it_writes_nothing_from_a_file_with_one_bad_ward(features, bad, at, new_name):
    with transaction.atomic():
        wards_import_geojson(text=json.dumps(collection(features)), source=SOURCE)
        before = sorted(Ward.objects.values_list("code", "name", "min_longitude"))
        districts = sorted(District.objects.values_list("code", "name"))
        # The same wards renamed, with one bad feature among them: none of the renames may land.
        at = min(at, len(features))
        changed = [renamed(f, new_name) for f in features]
        changed.insert(at, bad)
        with pytest.raises(WardImportError, match=rf"^{SOURCE}: feature {at} "):
            wards_import_geojson(text=json.dumps(collection(changed)), source=SOURCE)
        assert sorted(Ward.objects.values_list("code", "name", "min_longitude")) == before
        assert sorted(District.objects.values_list("code", "name")) == districts
        transaction.set_rollback(True)


@settings(FUZZ, max_examples=15)
@given(features=ward_features(max_size=3), garbage=json_values)
def test_the_command_refuses_a_bad_file_by_name_and_keeps_the_good_one(tmp_path_factory, features, garbage):
    folder = tmp_path_factory.mktemp("wards")
    good, bad = folder / "E07000117.json", folder / "broken.json"
    good.write_text(json.dumps(collection(features)), encoding="utf-8")
    bad.write_text(json.dumps(collection([{"type": "Feature", "properties": garbage, "geometry": garbage}])))
    with transaction.atomic():
        with pytest.raises(CommandError, match="broken.json: feature 0"):
            call_command("import_wards", good, bad, stdout=StringIO())
        # Each file is its own transaction: the good one stands, nothing of the bad one exists.
        assert Ward.objects.count() == len(features)
        transaction.set_rollback(True)
