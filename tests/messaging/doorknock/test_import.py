import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from messaging.doorknock import services
from messaging.models import Address, Street

pytestmark = pytest.mark.django_db

GOOD = (
    "ward_code,street,number,postcode\n"
    "E05005155,Colne Road,1,BB10 1AA\n"
    "E05005155,Colne Road,3,bb101aa\n"
    "E05005155,Elm  Street,2a,\n"
    "E05005160,Queen Street,10,BB11 2BB\n"
)


def test_it_imports_streets_and_addresses_in_file_order(world):
    result = services.street_list_import(data=GOOD.encode(), actor=world.inspector)
    assert (result.streets_created, result.addresses_created) == (3, 4)
    colne = Street.objects.get(name="Colne Road")
    assert [(a.number, a.postcode, a.position) for a in colne.addresses.all()] == [
        ("1", "BB10 1AA", 1),
        ("3", "BB10 1AA", 2),
    ]
    assert Street.objects.filter(name="Elm Street", is_synthetic=False).exists()


def test_it_leaves_addresses_already_listed_alone_on_a_second_import(world):
    services.street_list_import(data=GOOD.encode(), actor=None)
    more = GOOD + "E05005155,Colne Road,5,BB10 1AA\n"
    result = services.street_list_import(data=more.encode(), actor=None)
    assert (result.streets_created, result.addresses_created, result.addresses_already_listed) == (0, 1, 4)
    assert Street.objects.get(name="Colne Road").addresses.get(number="5").position == 3


def test_it_reports_every_bad_row_with_its_line_and_imports_nothing(world):
    bad = (
        "ward_code,street,number,postcode\n"
        "E05005155,Colne Road,1,BB10 1AA\n"
        "E05009999,Nowhere Lane,1,\n"
        "E05005155,,4,\n"
        "E05005155,Colne Road,1,\n"
        "E05005155,Colne Road,7,NOT A CODE\n"
    )
    with pytest.raises(ValidationError) as raised:
        services.street_list_import(data=bad.encode(), actor=None)
    assert raised.value.messages == [
        "Line 3: there is no ward E05009999.",
        "Line 4: street is empty.",
        "Line 5: the same address as line 2.",
        "Line 6: postcode 'NOT A CODE' is not a UK postcode.",
    ]
    assert not Street.objects.exists() and not Address.objects.exists()


def test_it_refuses_a_header_without_the_columns(world):
    with pytest.raises(ValidationError) as raised:
        services.street_list_import(data=b"ward,road\nE05005155,Colne Road\n", actor=None)
    assert "Line 1: the header needs the columns ward_code, street, number" in raised.value.messages[0]


def test_it_refuses_rows_for_wards_outside_the_officers_area(world):
    with pytest.raises(ValidationError) as raised:
        services.street_list_import(data=GOOD.encode(), actor=world.pcso)  # Daneshouse only
    assert raised.value.messages == ["Line 5: Queensgate (E05005160) is not one of your wards."]
    assert not Street.objects.exists()


def test_it_refuses_a_file_that_is_not_utf8(world):
    with pytest.raises(ValidationError) as raised:
        services.street_list_import(
            data="ward_code,street,number\nE05005155,Caf\u00e9 Row,1\n".encode("cp1252"), actor=None
        )
    assert "not UTF-8" in raised.value.messages[0]


def test_the_command_loads_a_list_and_reports_bad_rows(world, tmp_path, capsys):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text("ward_code,street,number\nE05005155,,1\n")
    call_command("import_streets", str(good), "--synthetic")
    assert "3 new streets, 4 new addresses" in capsys.readouterr().out
    assert Street.objects.filter(is_synthetic=True).count() == 3
    with pytest.raises(CommandError, match="Line 2: street is empty"):
        call_command("import_streets", str(bad))
