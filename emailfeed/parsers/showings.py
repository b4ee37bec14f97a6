"""Lockbox and showing services: SentriLock, Supra, ShowingTime, BrokerBay.

A service is recognised by its name in the sender or the subject only, never by a
mention in the body: portal lead emails say "powered by ShowingTime" too.

What becomes a showing: a lockbox access, a showing that is confirmed, booked,
scheduled or rescheduled. What is ignored (reason "newsletter"): cancellations,
declines, feedback, requests still waiting for an answer (a confirmation follows, or
a decline) and the services' own news. The headline decides, that is the subject or
else the first lines of the body, because confirmations carry "to cancel, click
here" footers. The same showing may still arrive twice (a booking, then the lockbox
access): whoever records it should match on property, agent and start.

Times are local: a zone or offset written next to the time wins (US and Canadian
abbreviations as fixed offsets, "Mountain Time" and "MT" by the date's rules), then
the offset of the message's Date header, then UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import ClassVar
from zoneinfo import ZoneInfo

from emailfeed.mail import Mail
from emailfeed.parsers import register
from emailfeed.parsers.base import Ignored, Parser, ShowingData, email_in, one_line, phone

MAX_LINES = 400

# ---- when -------------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                         "sep", "oct", "nov", "dec"), 1)}  # fmt: skip
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s{{1,3}}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s{{1,3}}(?P<year>\d{{4}})"
    r"|(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})"
    r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))(?!\d)",
    re.IGNORECASE,
)
_TIME = r"(?P<h>\d{1,2})(?::(?P<min>\d{2}))?(?::\d{2})?\s?(?P<ampm>[ap]\.?m\b\.?)?"
_TIME_AFTER = re.compile(
    r"[ \t\n,;|@-]{0,12}(?:(?:[a-z' /]{0,20}\btime|at|from|starting|start|begins)\s?:?\s{0,6})?"
    rf"(?:T(?=\d))?{_TIME}",
    re.IGNORECASE,
)
_TIME_BEFORE = re.compile(
    rf"{_TIME}[ \t]{{0,3}}(?P<zone>\(?[A-Z]{{1,5}}\)?)?[ \t\n,;|]{{0,6}}"
    r"(?:(?:on|date)\s?:?\s{0,6})?$",
    re.IGNORECASE,
)
_RANGE_END = re.compile(rf"\s?(?:-|to|until)\s?{_TIME}", re.IGNORECASE)

_FIXED = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
          "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "HDT": -9, "AST": -4, "ADT": -3,
          "NST": -3.5, "NDT": -2.5, "UTC": 0, "GMT": 0, "Z": 0}  # fmt: skip
_REGIONS = {"eastern": "America/New_York", "central": "America/Chicago",
            "mountain": "America/Denver", "pacific": "America/Los_Angeles",
            "alaska": "America/Anchorage", "hawaii": "Pacific/Honolulu",
            "atlantic": "America/Halifax", "newfoundland": "America/St_Johns"}  # fmt: skip
_SHORT = {"ET": "eastern", "CT": "central", "MT": "mountain", "PT": "pacific", "AKT": "alaska",
          "HT": "hawaii"}  # fmt: skip
_STANDARD = {"eastern": "EST", "central": "CST", "mountain": "MST", "pacific": "PST",
             "alaska": "AKST", "hawaii": "HST", "atlantic": "AST",
             "newfoundland": "NST"}  # fmt: skip
_DAYLIGHT = {k: v[:-2] + "DT" if k != "alaska" else "AKDT" for k, v in _STANDARD.items()}
_ZONE = re.compile(
    r"[ \t]{0,3}\(?[ \t]{0,2}(?:"
    r"(?:UTC|GMT)\s?(?P<sign>[+-])\s?(?P<hh>\d{1,2})(?::?(?P<mm>\d{2}))?"
    r"|(?P<bsign>[+\-])(?P<bhh>\d{2}):?(?P<bmm>\d{2})\b"
    r"|(?P<region>eastern|central|mountain|pacific|alaska|hawaii|atlantic|newfoundland)"
    r"(?:\s(?P<season>standard|daylight))?(?:\stime)?\b"
    r"|(?P<abbr>[A-Z]{1,4})\b)",
    re.IGNORECASE,
)


def _offset(hours: float) -> timezone:
    return timezone(timedelta(minutes=round(hours * 60)))


def _zone(after: str) -> tzinfo | None:
    """The zone written right after a time, if it is one we know."""
    match = _ZONE.match(after)
    if not match:
        return None
    if match.group("sign"):
        sign = -1 if match.group("sign") == "-" else 1
        hours, minutes = int(match.group("hh")), int(match.group("mm") or 0)
        if hours > 14 or minutes > 59:
            return None
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if match.group("bsign"):
        sign = -1 if match.group("bsign") == "-" else 1
        hours, minutes = int(match.group("bhh")), int(match.group("bmm"))
        if hours > 14 or minutes > 59:
            return None
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    region = (match.group("region") or "").lower()
    abbr = match.group("abbr") or ""
    if abbr and abbr.upper() == abbr:  # only capitals: "at" or "to" is not a zone
        if abbr in _FIXED:
            return _offset(_FIXED[abbr])
        region = _SHORT.get(abbr, "")
        if not region:
            return None
    if not region:
        return None
    season = (match.group("season") or "").lower()
    if season:
        return _offset(_FIXED[(_STANDARD if season == "standard" else _DAYLIGHT)[region]])
    try:
        return ZoneInfo(_REGIONS[region])
    except Exception:  # no tz database here: standard time is the better guess than none
        return _offset(_FIXED[_STANDARD[region]])


def _day(match: re.Match[str]) -> date | None:
    try:
        if match.group("mon"):
            month = _MONTHS[match.group("mon").lower()[:3]]
            return date(int(match.group("year")), month, int(match.group("day")))
        if match.group("m"):
            year = int(match.group("y"))
            year += 2000 if year < 100 else 0
            return date(year, int(match.group("m")), int(match.group("d")))
        return date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
    except (ValueError, KeyError, TypeError):
        return None


def _clock(match: re.Match[str]) -> time | None:
    hour, minute = int(match.group("h")), int(match.group("min") or 0)
    ampm = (match.group("ampm") or "").lower()[:1]
    if not ampm and match.group("min") is None:
        return None  # a bare number is not a time
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def fallback_zone(mail: Mail) -> tzinfo:
    """The offset of the message's Date header, else UTC."""
    offset = mail.date.utcoffset() if mail.date is not None else None
    return timezone(offset) if offset is not None else UTC


def showing_start(text: str, default: tzinfo) -> datetime | None:
    """The first date that has a time beside it, as an aware datetime."""
    for found in _DATE.finditer(text[:20_000]):
        day = _day(found)
        if day is None:
            continue
        after = text[found.end() : found.end() + 80]
        clock_match = _TIME_AFTER.match(after)
        clock = _clock(clock_match) if clock_match else None
        if clock is not None and clock_match is not None:
            rest = after[clock_match.end() :]
            ranged = _RANGE_END.match(rest)
            zone = _zone(rest[ranged.end() :] if ranged else rest) or _zone(rest)
        else:
            before = _TIME_BEFORE.search(text[max(0, found.start() - 40) : found.start()])
            clock = _clock(before) if before else None
            if clock is None or before is None:
                continue
            zone = _zone(before.group("zone") or "")
        return datetime.combine(day, clock, zone or default)
    return None


# ---- who and where ----------------------------------------------------------------------------

_LABEL = re.compile(r"^[*•>-]?\s?([A-Za-z][A-Za-z'/ ]{0,30}?)\s?[:\uff1a]\s?(.*)$")
_ZIP = r"(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)"
_CITY_LINE = re.compile(
    rf"^[A-Za-zÀ-ÿ .'-]{{2,40}}(?:,\s?[A-Z]{{2}}\.?(?:\s{{1,2}}{_ZIP})?"
    rf"|\s[A-Z]{{2}}\s{{1,2}}{_ZIP})$"
)
_STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?\s(?:[A-Za-zÀ-ÿ0-9.'-]+\s){1,5}?"
    r"(?:St|Street|Ave|Avenue|Rd|Road|Dr|Drive|Ln|Lane|Ct|Court|Blvd|Boulevard|Way|Pl|Place|"
    r"Cir|Circle|Trl|Trail|Pkwy|Parkway|Ter|Terrace|Hwy|Highway|Loop|Sq|Square|Cres|Crescent)\b\.?"
    r"(?:,?\s(?:#|Unit|Apt|Suite)\s?[A-Za-z0-9-]+)?"
    rf"(?:,\s[A-Za-zÀ-ÿ .'-]{{2,30}})?(?:,\s[A-Z]{{2}}(?:\s{_ZIP})?)?"
)
_BY = re.compile(
    r"\b(?:accessed|shown|opened|booked|scheduled|requested)\sby\s"
    r"([A-ZÀ-Þ][\w.'-]+(?:\s[A-ZÀ-Þ][\w.'-]+){0,3})"
)

ADDRESS = ("property", "property address", "listing", "listing address", "address",
           "location", "property location", "showing address")  # fmt: skip
AGENT = ("showing agent", "buyer's agent", "buyers agent", "buyer agent",
         "agent", "agent name", "accessed by", "shown by", "booked by", "showing agent name",
         "visitor")  # fmt: skip
EMAIL = ("email", "e-mail", "agent email", "agent e-mail", "email address")
PHONE = ("phone", "agent phone", "cell", "mobile", "cell phone", "mobile phone", "telephone",
         "phone number", "office phone")  # fmt: skip

_SKIP = ("cancel", "declined", "denied", "feedback", "not confirmed")
_KEEP = ("confirm", "approved", "booked", "scheduled", "accessed", "access notification",
         "lockbox", "was shown", "showing notification", "appointment set")  # fmt: skip


_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-",
                        "\u2212": "-"})  # fmt: skip


def _lines(text: str) -> list[str]:
    """Non-empty lines with plain quotes and dashes, whitespace runs squeezed so no pattern
    meets a long blank run."""
    text = text[:200_000].translate(_PLAIN)
    squeezed = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.splitlines())
    return [line[:500] for line in squeezed if line][:MAX_LINES]


def _fields(lines: list[str]) -> dict[str, list[str]]:
    """{label: its value lines}: the rest of the label's line and a city line under it, or
    the lines under a label that stands alone, up to the next label."""
    found: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        match = _LABEL.match(line)
        if not match or match.group(1).lower().startswith("http"):
            continue
        label, value = match.group(1).strip().lower(), match.group(2).strip()
        block = [value] if value else []
        for following in lines[index + 1 : index + 6]:
            if _LABEL.match(following) or (value and not _CITY_LINE.match(following)):
                break
            block.append(following)
        if block and label not in found:
            found[label] = block
    return found


def _first(fields: dict[str, list[str]], labels: tuple[str, ...]) -> list[str]:
    return next((fields[label] for label in labels if fields.get(label)), [])


def _address(fields: dict[str, list[str]], subject: str, body: str) -> str:
    block = _first(fields, ADDRESS)
    if block:
        city = [line for line in block[1:2] if _CITY_LINE.match(line)]
        labelled = re.split(r"\s\(|\s[|-]\s|\sMLS\b", block[0], maxsplit=1)[0]
        if re.match(r"\d", labelled):
            return one_line(labelled, *city)
    street = _STREET.search(body) or _STREET.search(subject.translate(_PLAIN))
    if street:
        return one_line(street.group(0))
    return one_line(labelled, *city) if block else ""


def _person(raw: str) -> str:
    """An agent's name without the company after it."""
    name = re.split(r"\s[-|@]\s|\s\(|,\s|\sof\s|\swith\s", raw, maxsplit=1)[0].strip(" .,;:")
    return name if 1 < len(name) <= 80 and not re.search(r"\d{3}|@", name) else ""


def _status(mail: Mail, lines: list[str]) -> str:
    """The headline, lower-case: the subject, and the first lines when the subject does not
    say what happened."""
    headline = mail.subject.lower()
    if not any(word in headline for word in _KEEP):
        headline = f"{headline} {' '.join(lines[:3]).lower()}"
    return headline


def _start(fields: dict[str, list[str]], body: str, default: tzinfo) -> datetime | None:
    """A rescheduled showing's new time, else the first time in the body."""
    for label, block in fields.items():
        if re.search(r"\b(?:new|updated|rescheduled)\b", label):
            start = showing_start(" ".join(block), default)
            if start is not None:
                return start
    return showing_start(body, default)


class ShowingService(Parser):
    """One showing or lockbox service; a subclass names it and says how to spot it."""

    pattern: ClassVar[re.Pattern[str]]

    def recognises(self, mail: Mail) -> bool:
        return bool(self.pattern.search(f"{mail.from_name} {mail.from_address} {mail.subject}"))

    def parse(self, mail: Mail) -> ShowingData | Ignored:
        lines = _lines(mail.text)
        status = _status(mail, lines)
        if any(word in status for word in _SKIP) or (
            "request" in status and not any(word in status for word in _KEEP)
        ):
            return Ignored("newsletter")
        fields = _fields(lines)
        body = "\n".join(lines)
        address = _address(fields, mail.subject, body)
        start = _start(fields, body, fallback_zone(mail))
        if not address and start is None:
            return Ignored("newsletter")
        agent_block = _first(fields, AGENT)
        agent = _person(agent_block[0]) if agent_block else ""
        if not agent:
            by = _BY.search(body)
            agent = _person(by.group(1)) if by else ""
        nearby = " ".join(agent_block)
        return ShowingData(
            source=self.source,
            property_address=address[:300],
            agent_name=agent,
            agent_email=email_in(" ".join(_first(fields, EMAIL)[:1])) or email_in(nearby),
            agent_phone=phone(" ".join(_first(fields, PHONE)[:1])) or phone(nearby),
            showing_start=start,
        )


class SentriLock(ShowingService):
    name = "sentrilock"
    source = "SentriLock"
    pattern = re.compile(r"sentri\s?lock", re.IGNORECASE)


class Supra(ShowingService):
    name = "supra"
    source = "Supra"
    pattern = re.compile(r"\bsupra(?:\s?ekey|systems)?\b", re.IGNORECASE)


class ShowingTime(ShowingService):
    name = "showingtime"
    source = "ShowingTime"
    pattern = re.compile(r"showing\s?time", re.IGNORECASE)


class BrokerBay(ShowingService):
    name = "brokerbay"
    source = "BrokerBay"
    pattern = re.compile(r"broker\s?bay", re.IGNORECASE)


SERVICES: list[Parser] = [SentriLock(), Supra(), ShowingTime(), BrokerBay()]


def from_a_showing_service(mail: Mail) -> bool:
    """Whether one of these services sent the message (the newsletter check leaves those
    to this module)."""
    return any(service.recognises(mail) for service in SERVICES)


for _service in SERVICES:
    register(_service)
