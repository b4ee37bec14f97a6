"""The reader's edge cases that the samples do not show."""

from __future__ import annotations

import time

from emailfeed.mail import html_to_text, read


def test_thousands_of_unclosed_tags_read_quickly() -> None:
    started = time.perf_counter()
    text, _ = html_to_text("<p>" + "<tr " * 16000 + "</p>")
    assert time.perf_counter() - started < 1.0
    assert text.count("<tr") == 16000  # shown as text, not swallowed


def test_a_self_closed_break_is_one_line_break() -> None:
    assert html_to_text("a<br/>b<br />c<p>d</p>")[0] == "a\nb\nc\nd"


def test_a_forward_keeps_the_forwarded_bodys_own_header_like_lines() -> None:
    raw = (
        b"From: Agent <agent@example.com>\r\nSubject: Fwd: New form entry\r\n\r\n"
        b"---------- Forwarded message ---------\r\n"
        b"From: Site <wordpress@site.example.com>\r\nDate: Mon, 23 Nov 2026\r\n"
        b"Subject: New form entry\r\nTo: agent@example.com\r\n\r\n"
        b"From: Jo Marsh <jo@example.org>\r\nSubject: Selling in spring\r\n\r\n"
        b"Message Body:\r\nHi\r\n"
    )
    mail = read(raw)
    assert mail.forwarded and mail.from_address == "wordpress@site.example.com"
    assert mail.text.startswith("From: Jo Marsh <jo@example.org>")
