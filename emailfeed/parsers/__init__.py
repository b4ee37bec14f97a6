"""The parser registry: every lead source is a small module here.

Order matters: the Lead Metadata convention is tried first on every message, then the
non-lead detector (auto-replies, bounces, newsletters, spam), then one module per
source, and the generic "Label: value" reader last."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass

from emailfeed.mail import Mail, read
from emailfeed.parsers.base import Ignored, LeadData, Parsed, Parser, ShowingData

log = logging.getLogger(__name__)

ORDER = [
    "lead_metadata",
    "nonleads",
    "showings",
    "zillow",
    "trulia",
    "realtor_com",
    "homes_com",
    "redfin",
    "opcity",
    "facebook",
    "idx",
    "webforms",
    "generic",
]
REGISTRY: list[Parser] = []


def register(parser: Parser) -> Parser:
    if all(p.name != parser.name for p in REGISTRY):
        REGISTRY.append(parser)
    return parser


_loaded: list[bool] = []


def _load() -> None:
    """Import every parser module once, in ORDER, and keep the registry in that order."""
    if _loaded:
        return
    for name in ORDER:
        if importlib.util.find_spec(f"emailfeed.parsers.{name}") is not None:
            importlib.import_module(f"emailfeed.parsers.{name}")
    REGISTRY.sort(key=lambda p: ORDER.index(type(p).__module__.rsplit(".", 1)[-1]))
    _loaded.append(True)


@dataclass
class Outcome:
    """What parsing one message gave: the data (None when nobody recognised it), which
    parser took it, and the error when a parser broke."""

    data: Parsed | None
    parser: str = ""
    error: str = ""

    @property
    def kind(self) -> str:
        if self.data is None:
            return "unrecognized"
        return self.data.kind

    def as_json(self) -> dict[str, object]:
        if self.data is None:
            result: dict[str, object] = {"kind": "unrecognized"}
            if self.error:
                result["error"] = self.error
            return result
        return {**self.data.as_json(), "parser": self.parser}


def parse_mail(mail: Mail) -> Outcome:
    _load()
    errors = []
    for parser in REGISTRY:
        try:
            if not parser.recognises(mail):
                continue
            data = parser.parse(mail)
        except Exception as exc:  # one broken parser must not lose the message
            log.exception("parser %s failed", parser.name)
            errors.append(f"{parser.name}: {type(exc).__name__}: {exc}"[:300])
            continue
        if data is None:
            continue
        if isinstance(data, LeadData) and not (data.email or data.phone or data.first_name
                                               or data.last_name):  # fmt: skip
            continue  # recognised the sender but found nobody: let the next one try
        return Outcome(data=data, parser=parser.name)
    return Outcome(data=None, error="; ".join(errors))


def parse_bytes(raw: bytes) -> Outcome:
    try:
        return parse_mail(read(raw))
    except Exception as exc:  # the reader promises not to raise; belt and braces
        return Outcome(data=None, error=f"{type(exc).__name__}: {exc}"[:300])


__all__ = [
    "REGISTRY",
    "Ignored",
    "LeadData",
    "Outcome",
    "Parser",
    "ShowingData",
    "interface_json",
    "parse_bytes",
    "parse_mail",
    "register",
]


LEAD_KEYS = ("source", "first_name", "last_name", "email", "phone", "property_address",
             "mls_number", "price", "message", "lead_type")  # fmt: skip


def interface_json(outcome: Outcome) -> dict[str, object]:
    """The object ``manage.py emailfeed_parse --json`` prints for one file: the lead fields
    (null where absent), the showing fields for a showing, ``error`` when unrecognised."""
    if isinstance(outcome.data, ShowingData):
        return outcome.data.as_json()
    if isinstance(outcome.data, LeadData):
        return {"kind": "lead", **{k: outcome.data.as_json()[k] for k in LEAD_KEYS}}
    result: dict[str, object] = {"kind": outcome.kind, **dict.fromkeys(LEAD_KEYS)}
    if isinstance(outcome.data, Ignored):
        result["reason"] = outcome.data.reason
    if outcome.kind == "unrecognized":
        result["error"] = outcome.error or "No parser recognised this message."
    return result
