"""Bounce and complaint reports read from the raw bytes that reach our return paths: every
sample in bounces/ reads as its .json twin says, the VERP token is found where mail
systems put it, and no input, however broken, makes the parser raise."""

from __future__ import annotations

import base64
import json
import random
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drips.bounce_reports import MAX_DIAGNOSTIC, Report, parse, verp_token_in

SAMPLES = Path(__file__).parent / "bounces"
EMLS = sorted(SAMPLES.glob("*.eml"))
KINDS = {"hard", "soft", "delayed", "complaint", "none"}
TOKEN = "7.s123.ab9xk2qm4t"


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.eml").read_bytes()


def dsn(*groups: str, top: str = "", parts: str = "") -> bytes:
    """A delivery status notification with the given per-recipient groups."""
    recipient_groups = "\n\n".join(group.strip() for group in groups)
    return f"""From: MAILER-DAEMON@mx.example.net
To: bounce+{TOKEN}@leads.example.com
Subject: Undelivered Mail Returned to Sender
{top}MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

{recipient_groups}

{parts}--B--
""".encode()


def plain(subject: str, body: str, sender: str = "MAILER-DAEMON@mx.example.net") -> bytes:
    return (
        f"From: {sender}\nTo: bounce+{TOKEN}@leads.example.com\nSubject: {subject}\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}"
    ).encode()


def assert_well_formed(report: Report) -> None:
    assert report.kind in KINDS
    for value in asdict(report).values():
        assert isinstance(value, str)
        value.encode("utf-8")  # no lone surrogates
    assert len(report.diagnostic) <= MAX_DIAGNOSTIC
    assert "\r" not in report.diagnostic and "\n" not in report.diagnostic
    assert report.recipient == report.recipient.lower()


class SampleTests:
    def test_it_has_a_json_twin_for_every_sample(self) -> None:
        assert len(EMLS) >= 12
        assert all(path.with_suffix(".json").exists() for path in EMLS)

    @pytest.mark.parametrize("path", EMLS, ids=lambda path: path.stem)
    def test_it_reads_the_sample_as_its_json_says(self, path: Path) -> None:
        expected = json.loads(path.with_suffix(".json").read_text())
        report = parse(path.read_bytes())
        assert asdict(report) == expected
        assert_well_formed(report)

    @pytest.mark.parametrize("path", EMLS, ids=lambda path: path.stem)
    def test_it_reads_crlf_and_lf_line_ends_alike(self, path: Path) -> None:
        lf = path.read_bytes().replace(b"\r\n", b"\n")
        assert parse(lf) == parse(lf.replace(b"\n", b"\r\n"))

    @pytest.mark.parametrize("path", EMLS, ids=lambda path: path.stem)
    def test_it_finds_the_same_token_without_parsing_mime(self, path: Path) -> None:
        raw = path.read_bytes()
        assert verp_token_in(raw) == parse(raw).verp_token


class DeliveryStatusTests:
    def test_it_takes_the_first_failed_recipient_over_a_delivered_one(self) -> None:
        report = parse(
            dsn(
                "Final-Recipient: rfc822; ok@example.net\nAction: delivered\nStatus: 2.0.0",
                "Final-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1",
            )
        )
        assert (report.kind, report.recipient) == ("hard", "gone@example.net")

    def test_it_takes_a_delayed_recipient_when_none_failed(self) -> None:
        report = parse(
            dsn(
                "Final-Recipient: rfc822; ok@example.net\nAction: relayed\nStatus: 2.0.0",
                "Final-Recipient: rfc822; slow@example.net\nAction: delayed\nStatus: 4.4.1",
            )
        )
        assert (report.kind, report.recipient, report.status) == (
            "delayed",
            "slow@example.net",
            "4.4.1",
        )

    @pytest.mark.parametrize(
        ("status", "kind"),
        [
            ("5.1.1", "hard"),
            ("5.1.2", "hard"),
            ("5.2.1", "hard"),
            ("5.2.2", "soft"),  # mailbox full
            ("5.3.4", "soft"),  # message too big
            ("5.4.7", "soft"),  # delivery time expired
            ("5.7.1", "soft"),  # policy: blocklists, spam filters, DMARC
            ("4.4.7", "soft"),
        ],
    )
    def test_it_counts_only_dead_address_codes_as_hard(self, status: str, kind: str) -> None:
        report = parse(
            dsn(f"Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: {status}")
        )
        assert (report.kind, report.status) == (kind, status)

    def test_it_reads_a_full_mailbox_behind_a_generic_code_as_soft(self) -> None:
        report = parse(
            dsn(
                "Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.0.0\n"
                "Diagnostic-Code: smtp; 550 Mailbox is full"
            )
        )
        assert (report.kind, report.status) == ("soft", "5.0.0")

    def test_it_prefers_the_diagnostics_precise_code_to_a_generic_status(self) -> None:
        report = parse(
            dsn(
                "Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.0.0\n"
                "Diagnostic-Code: smtp; 550 5.1.1 <a@example.net>: User unknown"
            )
        )
        assert (report.kind, report.status) == ("hard", "5.1.1")

    def test_it_reads_a_success_without_action_as_nothing(self) -> None:
        report = parse(dsn("Final-Recipient: rfc822; a@example.net\nStatus: 2.0.0"))
        assert (report.kind, report.status) == ("none", "2.0.0")

    def test_it_counts_a_failure_without_any_code_as_hard(self) -> None:
        report = parse(dsn("Final-Recipient: rfc822; a@example.net\nAction: failed"))
        assert (report.kind, report.status, report.diagnostic) == ("hard", "", "")

    def test_it_falls_back_to_the_original_recipient(self) -> None:
        report = parse(
            dsn("Original-Recipient: rfc822;Someone@Example.net\nAction: failed\nStatus: 5.1.1")
        )
        assert report.recipient == "someone@example.net"

    def test_it_summarises_a_status_without_diagnostic(self) -> None:
        report = parse(dsn("Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1"))
        assert report.diagnostic == "Bad destination mailbox address"

    def test_it_cuts_a_long_diagnostic_to_one_short_line(self) -> None:
        long = "smtp; 550 5.1.1 " + "word\r\n " * 400
        report = parse(
            dsn(f"Final-Recipient: rfc822; a@example.net\nAction: failed\nDiagnostic-Code: {long}")
        )
        assert report.kind == "hard"
        assert_well_formed(report)
        assert len(report.diagnostic) > MAX_DIAGNOSTIC - 10

    def test_it_reads_a_base64_encoded_status_part(self) -> None:
        fields = b"Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b.example\n"
        fields += b"Action: failed\nStatus: 5.1.2\n"
        raw = dsn("").replace(
            b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n",
            b"Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n"
            + base64.encodebytes(fields),
        )
        report = parse(raw)
        assert (report.kind, report.recipient, report.status) == ("hard", "a@b.example", "5.1.2")

    def test_it_reads_an_internationalised_status_part(self) -> None:
        raw = (
            sample("postfix_hard_user_unknown")
            .replace(
                b"Content-Type: message/delivery-status",
                b"Content-Type: message/global-delivery-status",
            )
            .replace(
                b"Final-Recipient: rfc822; jane.doe", "Final-Recipient: utf-8; Jöne.Doe".encode()
            )
        )
        report = parse(raw)
        assert (report.kind, report.recipient, report.status) == (
            "hard",
            "jöne.doe@example.net",
            "5.1.1",
        )

    def test_it_reads_a_read_receipt_as_nothing(self) -> None:
        raw = b"""From: jane.doe@example.net
To: bounce+7.s1.x@leads.example.com
Subject: Read: Open house
Content-Type: multipart/report; report-type=disposition-notification; boundary="B"

--B
Content-Type: message/disposition-notification

Final-Recipient: rfc822; jane.doe@example.net
Disposition: manual-action/MDN-sent-manually; displayed

--B--
"""
        assert parse(raw).kind == "none"


class ComplaintTests:
    def test_it_takes_the_recipient_from_the_returned_message_when_not_reported(self) -> None:
        raw = sample("arf_complaint_yahoo").replace(
            b"Original-Rcpt-To: Nina.Kowalski@example.com\r\n", b""
        )
        report = parse(raw)
        assert (report.kind, report.recipient) == ("complaint", "nina.kowalski@example.com")

    def test_it_reads_a_redacted_recipient_as_unknown(self) -> None:
        raw = (
            sample("arf_complaint_yahoo")
            .replace(b"Original-Rcpt-To: Nina.Kowalski@example.com\r\n", b"")
            .replace(b"To: Nina Kowalski <nina.kowalski@example.com>", b"To: redacted")
        )
        report = parse(raw)
        assert (report.kind, report.recipient) == ("complaint", "")
        assert report.verp_token == "7.s170.f9d4ru6yhb"

    @pytest.mark.parametrize("feedback_type", ["auth-failure", "not-spam"])
    def test_it_reads_reports_that_are_no_complaint_as_nothing(self, feedback_type: str) -> None:
        raw = sample("arf_complaint_yahoo").replace(
            b"Feedback-Type: abuse", f"Feedback-Type: {feedback_type}".encode()
        )
        assert parse(raw).kind == "none"


class FreeTextBounceTests:
    def test_it_reads_a_permanent_failure_without_code_as_hard(self) -> None:
        report = parse(
            plain(
                "Mail delivery failed",
                "Delivery to the following recipient failed permanently:\n\n"
                "     jane.doe@example.net\n",
            )
        )
        assert (report.kind, report.recipient, report.status) == (
            "hard",
            "jane.doe@example.net",
            "",
        )
        assert report.diagnostic == "Delivery to the following recipient failed permanently:"

    def test_it_reads_a_bounce_that_says_nothing_as_soft(self) -> None:
        report = parse(plain("Undeliverable: Open house", "Your message to a@example.net."))
        assert report.kind == "soft"

    def test_it_reads_a_temporary_failure_as_soft(self) -> None:
        report = parse(
            plain(
                "failure notice",
                "<jane@example.net>:\nRemote host said: 451 Temporary local problem\n",
            )
        )
        assert (report.kind, report.recipient) == ("soft", "jane@example.net")
        assert report.diagnostic == "Remote host said: 451 Temporary local problem"

    def test_it_reads_an_exim_delay_warning_as_delayed(self) -> None:
        body = (
            "This message was created automatically by mail delivery software.\n"
            "A message that you sent has not yet been delivered to one or more of its\n"
            "recipients after more than 24 hours on the queue on relay.example.co.uk.\n\n"
            "  jane@example.co.uk\n    Delay reason: SMTP error from remote mail server after "
            "RCPT TO:<jane@example.co.uk>:\n    451 4.7.1 Greylisted, please try again later\n\n"
            "This is a warning message only. The delivery will be tried again.\n"
        )
        report = parse(plain("Warning: message 1s8wXN-0007Qa-1k delayed 24 hours", body))
        assert (report.kind, report.recipient, report.status) == (
            "delayed",
            "jane@example.co.uk",
            "4.7.1",
        )

    def test_it_does_not_read_the_returned_message_for_the_failed_address(self) -> None:
        body = (
            "I'm afraid I wasn't able to deliver your message.\n\n"
            "--- Below this line is a copy of the message.\n\n"
            "From: Pat <pat@rivera-realty.example.com>\nTo: sam@example.org\n"
            "Subject: 550 5.1.1 in a subject line\n"
        )
        report = parse(plain("failure notice", body))
        assert (report.kind, report.recipient, report.status) == ("soft", "sam@example.org", "")

    def test_it_does_not_read_ordinary_mail_as_a_bounce(self) -> None:
        body = "Hi Pat, the house at 550 5.1.1 Street failed inspection permanently. Call me.\n"
        report = parse(plain("Re: inspection", body, sender="jane.doe@example.net"))
        assert report == Report("none", "", "", "", TOKEN)


class VerpTokenTests:
    @pytest.mark.parametrize(
        "header",
        ["To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"],
    )
    def test_it_reads_the_token_from_each_header_mail_systems_use(self, header: str) -> None:
        raw = f"From: a@example.net\n{header}: <bounce+{TOKEN}@leads.example.com>\n\nhi".encode()
        assert verp_token_in(raw) == TOKEN
        assert parse(raw).verp_token == TOKEN

    def test_it_reads_an_original_recipient_header(self) -> None:
        raw = f"Original-Recipient: rfc822;bounce+{TOKEN}@leads.example.com\n\nhi".encode()
        assert verp_token_in(raw) == TOKEN

    def test_it_trusts_to_before_delivered_to(self) -> None:
        raw = b"Delivered-To: bounce+second@x.example\nTo: Bounce+First.1_a-b@x.example\n\n"
        assert verp_token_in(raw) == "First.1_a-b"

    def test_it_finds_nothing_once_delivered_to_is_gone(self) -> None:
        raw = sample("exchange_html_delivered_to_only").replace(
            b"Delivered-To: bounce+7.s190.t5w1ya9cge@leads.example.com\r\n", b""
        )
        assert verp_token_in(raw) == ""
        assert parse(raw).verp_token == ""

    def test_it_ignores_addresses_that_merely_end_in_bounce(self) -> None:
        raw = b"To: nobounce+abc@x.example, list-bounce+abc@x.example\n\n"
        assert verp_token_in(raw) == ""

    def test_it_ignores_the_messages_own_return_path(self) -> None:
        raw = f"Return-Path: <bounce+{TOKEN}@leads.example.com>\nTo: a@b.example\n\nhi".encode()
        assert verp_token_in(raw) == ""
        assert parse(raw).verp_token == ""

    def test_it_ignores_a_token_mentioned_in_the_body(self) -> None:
        raw = b"To: jane@example.net\n\nplease write to bounce+abc@x.example\n"
        assert verp_token_in(raw) == ""
        assert parse(raw).verp_token == ""

    def test_it_reads_the_return_path_of_a_returned_original(self) -> None:
        raw = dsn(
            "Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1",
            parts=(
                "--B\nContent-Type: message/rfc822\n\n"
                "Return-Path: <bounce+9.r1.zzzzzzzzzz@leads.example.com>\nTo: a@example.net\n"
                "\nhello\n\n"
            ),
        ).replace(f"To: bounce+{TOKEN}@leads.example.com".encode(), b"To: fbl@leads.example.com")
        assert parse(raw).verp_token == "9.r1.zzzzzzzzzz"
        assert verp_token_in(raw) == "9.r1.zzzzzzzzzz"


def _nested(depth: int) -> bytes:
    head = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth)
    )
    return b"From: MAILER-DAEMON@x.example\nSubject: failure notice\n" + head + b"\n550 5.1.1\n"


HOSTILE = {
    "empty": b"",
    "only_newlines": b"\n" * 100_000,
    "random_bytes": random.Random(3464).randbytes(50_000),
    "nul_bytes": b"\x00" * 10_000,
    "truncated_multipart": sample("gmail_dsn_failure")[:2500],
    "truncated_inside_status": sample("postfix_hard_user_unknown").split(b"Action:")[0],
    "huge_header_line": b"Subject: " + b"A" * 3_000_000 + b"\nTo: bounce+x@y.example\n\nhi",
    "huge_body": plain("failure notice", "x" * 5_000_000),
    "many_addresses": plain("failure notice", "a@b.example " * 200_000),
    "address_like_run": plain("failure notice", "a" * 500_000 + "@"),
    "unclosed_tags": b"From: postmaster@x.example\nContent-Type: text/html\n\n" + b"<a" * 300_000,
    "unclosed_style": b"From: postmaster@x.example\nContent-Type: text/html\n\n"
    + b"<style>" * 100_000,
    "unknown_charset": b"From: MAILER-DAEMON@x.example\nSubject: =?x-unknown?q?=FF?=\n"
    b"Content-Type: text/plain; charset=x-unknown\n\n\xff\xfe 550 5.1.1 <a@b.example>:",
    "lying_charset": b"From: MAILER-DAEMON@x.example\nSubject: failure notice\n"
    b"Content-Type: text/plain; charset=utf-16\n\n\xff\xd8\xff 550 5.1.1",
    "punycode_charset": b"From: MAILER-DAEMON@x.example\nSubject: failure notice\n"
    b"Content-Type: text/plain; charset=punycode\n\n" + b"a-" * 100_000,
    "latin1_headers": "From: Ma\xeflerdaemon <MAILER-DAEMON@x.example>\nSubject: \xe9chec\n\n"
    "550 5.1.1\n".encode("latin-1"),
    "broken_encoded_words": b"From: =?utf-8?b?!!!?= <postmaster@x.example>\n"
    b"Subject: =?utf-8?q?=ZZ?= =?bogus?x?y?=\nTo: =?utf-8?B?YQ==?= bounce+t@x.example\n\n",
    "broken_base64": b"From: MAILER-DAEMON@x.example\nSubject: failure notice\n"
    b"Content-Transfer-Encoding: base64\n\n!!!not base64===\n",
    "deep_nesting": _nested(3000),
    "many_parts": b'Content-Type: multipart/report; boundary="b"\n\n'
    + b"--b\nContent-Type: message/delivery-status\n\nAction: failed\n\n" * 20_000,
    "status_part_without_groups": dsn("").replace(b"Reporting-MTA: dns; mx.example.net", b""),
}


class HostileInputTests:
    @pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
    def test_it_never_raises_and_stays_quick(self, raw: bytes) -> None:
        started = time.monotonic()
        report = parse(raw)
        verp_token_in(raw)
        assert time.monotonic() - started < 10
        assert_well_formed(report)

    def test_it_reads_nothing_into_garbage(self) -> None:
        assert parse(HOSTILE["random_bytes"]).kind == "none"
        assert parse(b"") == Report("none", "", "", "", "")
        assert verp_token_in(b"") == ""

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=4000))
    def test_it_survives_any_bytes(self, raw: bytes) -> None:
        assert_well_formed(parse(raw))
        verp_token_in(raw)

    @settings(max_examples=100, deadline=None)
    @given(st.sampled_from(EMLS), st.integers(min_value=0), st.binary(max_size=40))
    def test_it_survives_samples_cut_and_spliced_anywhere(
        self, path: Path, at: int, junk: bytes
    ) -> None:
        raw = path.read_bytes()
        at %= len(raw) + 1
        assert_well_formed(parse(raw[:at]))
        assert_well_formed(parse(raw[:at] + junk + raw[at:]))
