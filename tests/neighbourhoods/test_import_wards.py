import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.models import District, Ward

pytestmark = pytest.mark.django_db

WARD_DIR = Path(__file__).resolve().parents[2] / "neighbourhoods" / "data" / "lancashire-wards"
BURNLEY = WARD_DIR / "E07000117.json"


def feature(code="E05999001", name="Test Ward", geometry=None, prefix="WD13"):
    geometry = geometry or {
        "type": "Polygon",
        "coordinates": [[[-2.0, 53.0], [-1.99, 53.0], [-1.99, 53.01], [-2.0, 53.01], [-2.0, 53.0]]],
    }
    return {"type": "Feature", "properties": {f"{prefix}CD": code, f"{prefix}NM": name}, "geometry": geometry}


def write(tmp_path, name, payload):
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    return path


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def test_it_imports_all_302_lancashire_wards():
    call_command("import_wards", *sorted(WARD_DIR.glob("*.json")), stdout=StringIO())
    assert Ward.objects.count() == 302
    assert District.objects.count() == 14
    daneshouse = Ward.objects.select_related("district").get(code="E05005155")
    assert daneshouse.name == "Daneshouse with Stoneyholme"
    assert daneshouse.district.name == "Burnley"


def test_it_updates_in_place_when_a_file_is_imported_again():
    call_command("import_wards", BURNLEY, stdout=StringIO())
    before = dict(Ward.objects.values_list("code", "pk"))
    call_command("import_wards", BURNLEY, stdout=StringIO())
    assert dict(Ward.objects.values_list("code", "pk")) == before
    assert Ward.objects.count() == 15


def test_it_accepts_any_years_property_prefix(tmp_path):
    path = write(tmp_path, "E07000117.json", collection(feature(prefix="WD23", name="New Ward")))
    call_command("import_wards", path, stdout=StringIO())
    assert Ward.objects.get(code="E05999001").name == "New Ward"


BAD_FILES = {
    "not json": ("{not json", "not valid JSON"),
    "not a collection": ({"type": "Feature"}, "expected a GeoJSON FeatureCollection"),
    "no features": (collection(), "has no features"),
    "missing code": (collection(feature(), {"type": "Feature", "properties": {"WD13NM": "X"}}), "feature 1"),
    "point geometry": (collection(feature(geometry={"type": "Point", "coordinates": [0, 0]})), "Polygon"),
    "self-intersecting": (
        collection(
            feature(),
            feature(
                code="E05999002",
                geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            ),
        ),
        "feature 1 (E05999002 Test Ward) has an invalid boundary",
    ),
    "garbled coordinates": (collection(feature(geometry={"type": "Polygon", "coordinates": [["x"]]})), "feature 0"),
    "duplicate ward": (collection(feature(), feature()), "repeats a ward"),
    "outside WGS84": (
        collection(
            feature(
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[350000, 420000], [350100, 420000], [350100, 420100], [350000, 420000]]],
                }
            )
        ),
        "outside WGS84",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_it_rejects_a_malformed_file_naming_it_and_writes_nothing(tmp_path, case):
    payload, message = BAD_FILES[case]
    good = write(tmp_path, "good.json", collection(feature(code="E05999009")))
    bad = write(tmp_path, "bad.json", payload)
    with pytest.raises(CommandError) as error:
        call_command("import_wards", good, bad, stdout=StringIO())
    assert "bad.json" in str(error.value)
    assert message in str(error.value)
    # The earlier good file landed in its own transaction; nothing of the bad one did.
    assert list(Ward.objects.values_list("code", flat=True)) == ["E05999009"]


def test_it_reports_an_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="missing.json: cannot be read"):
        call_command("import_wards", tmp_path / "missing.json")
