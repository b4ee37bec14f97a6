"""Every sample email in tests/emailfeed/samples/<source>/NAME.eml parses to exactly the
JSON in NAME.json beside it (what ``manage.py emailfeed_parse --json`` prints)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from emailfeed.parsers import interface_json, parse_bytes

SAMPLES = Path(__file__).parent / "samples"
EMAILS = sorted(SAMPLES.rglob("*.eml"))


@pytest.mark.parametrize("path", EMAILS, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_the_sample_parses_to_its_expected_json(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert interface_json(parse_bytes(path.read_bytes())) == expected


def test_every_sample_has_its_expected_json() -> None:
    missing = [str(p) for p in EMAILS if not p.with_suffix(".json").exists()]
    assert not missing


def test_the_command_prints_one_line_per_file_in_order(tmp_path: Path) -> None:
    broken = tmp_path / "broken.eml"
    broken.write_bytes(b"\xff\xfe\x00garbage")
    files = [*EMAILS[:3], broken, tmp_path / "missing.eml"]
    out = io.StringIO()
    call_command("emailfeed_parse", "--json", *map(str, files), stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == len(files)
    for path, line in zip(EMAILS[:3], lines, strict=False):
        assert line == json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert lines[-2]["kind"] == "unrecognized" and lines[-2]["error"]
    assert lines[-1]["kind"] == "unrecognized" and "Cannot read" in lines[-1]["error"]


def test_a_bounce_carrying_our_own_email_is_not_a_lead() -> None:
    """Mail servers return the original inside the report; it must not be unwrapped into a
    "forwarded lead" of the agent herself."""
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        b"To: alice@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; gone@example.net\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--B\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: Alice Agent <alice@example.com>\r\nTo: gone@example.net\r\n"
        b"Subject: Thinking of selling this spring?\r\n\r\n"
        b"Name: Alice Agent\r\nPhone: (970) 555-0100\r\nEmail: alice@example.com\r\n"
        b"--B--\r\n"
    )
    result = interface_json(parse_bytes(raw))
    assert result["kind"] == "ignore" and result["reason"] == "bounce"
