"""Phone numbers: parsed to E.164 with the account's region, or kept as typed."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

DEFAULT_REGION = "US"
_NON_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True)
class ParsedPhone:
    raw: str
    e164: str  # empty when the number could not be understood
    digits: str  # what phone search matches against

    @property
    def ok(self) -> bool:
        return bool(self.e164)


def only_digits(value: str) -> str:
    return _NON_DIGITS.sub("", value or "")


def parse_phone(raw: str, region: str = DEFAULT_REGION) -> ParsedPhone:
    """Any format in; E.164 out when the number is possible, else kept as typed."""
    raw = (raw or "").strip()
    e164 = ""
    try:
        number = phonenumbers.parse(raw, region or DEFAULT_REGION)
        # "Local only" (555-0123, no area code) would become a wrong E.164: keep it as typed.
        reason = phonenumbers.is_possible_number_with_reason(number)
        if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if number.extension:
                e164 = f"{e164};ext={number.extension}"
    except phonenumbers.NumberParseException:
        pass
    return ParsedPhone(raw=raw, e164=e164, digits=only_digits(e164 or raw))


def format_national(e164: str, region: str = DEFAULT_REGION) -> str:
    """(970) 555-0123 for a home-region number; the international form otherwise."""
    main, _, extension = e164.partition(";ext=")
    try:
        number = phonenumbers.parse(main, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"{text} ext. {extension}" if extension else text
