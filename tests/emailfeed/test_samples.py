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
