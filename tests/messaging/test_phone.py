"""UK mobile numbers: what a resident may type, and how providers report numbers back."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from messaging.members.phone import inbound_number_e164, mobile_masked, mobile_normalise


@pytest.mark.parametrize(
    "typed",
    ["07400 123456", "07400123456", "+44 7400 123456", "+44 (0)7400 123456", "0044 7400 123456", " 07400-123-456 "],
)
def test_it_stores_uk_mobiles_in_e164(typed):
    assert mobile_normalise(typed) == "+447400123456"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("01282 425001", "not_mobile"),  # a Burnley landline cannot receive a code
        ("0800 555 111", "not_mobile"),
        ("07624 123456", "invalid"),  # Isle of Man, not the UK
        ("+33 6 12 34 56 78", "invalid"),
        ("07400 12345", "invalid"),
        ("call me", "invalid"),
        ("", "required"),
    ],
)
def test_it_refuses_anything_but_a_uk_mobile_with_a_clear_message(typed, code):
    with pytest.raises(ValidationError) as refused:
        mobile_normalise(typed)
    assert refused.value.code == code
    assert "mobile" in refused.value.messages[0]


@given(st.text(max_size=30))
def test_it_either_normalises_or_raises_a_validation_error(typed):
    try:
        number = mobile_normalise(typed)
    except ValidationError:
        return
    assert number.startswith("+447") and len(number) == 13 and mobile_normalise(number) == number


@pytest.mark.parametrize("reported", ["447400123456", "+447400123456", "07400123456"])
def test_it_reads_numbers_as_notify_reports_them(reported):
    assert inbound_number_e164(reported) == "+447400123456"


def test_it_reads_no_number_from_rubbish():
    assert inbound_number_e164("not a number") is None
    assert inbound_number_e164("") is None


def test_it_masks_all_but_the_last_four_digits():
    assert mobile_masked("+447400123456") == "07••• ••3456"
