"""Phone numbers for In the Know: UK mobiles only, stored in E.164 (+447…)."""

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

NOT_A_UK_MOBILE = "Enter a UK mobile number, like 07400 123456."


def mobile_normalise(raw: str) -> str:
    """`raw` as an E.164 UK mobile number, or ValidationError. Landlines are refused: SMS codes
    confirm the number, and a landline cannot receive them."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a mobile number.", code="required")
    try:
        number = phonenumbers.parse(text, "GB")
    except NumberParseException as error:
        raise ValidationError(NOT_A_UK_MOBILE, code="invalid") from error
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "GB":
        raise ValidationError(NOT_A_UK_MOBILE, code="invalid")
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise ValidationError("That is not a mobile number: texts and calls need a UK mobile.", code="not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def inbound_number_e164(raw: str) -> str | None:
    """A number as a provider reports it (GOV.UK Notify sends "447400123456", without the plus)
    in E.164, or None. Lenient on purpose: a STOP must match whatever number we stored."""
    text = (raw or "").strip()
    if text.isdigit() and text.startswith("44"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "GB")
    except NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mobile_masked(number: str) -> str:
    """Enough of a number for its owner to recognise (07••• ••4567), not for anyone to harvest."""
    return "07••• ••" + number[-4:] if number.startswith("+447") else "••••" + number[-4:]
