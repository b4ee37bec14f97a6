"""Hostile email never breaks the reader or the parsers: whatever arrives, ``read`` gives
a Mail and ``parse_bytes`` an outcome of a known kind, quickly, and scripts never reach
the text an agent sees."""

from __future__ import annotations

import base64
import json
import time
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailfeed.mail import MAX_PART, Mail, html_to_text, read
from emailfeed.parsers import interface_json, parse_bytes
from emailfeed.sanitise import TAGS, safe_html

KINDS = {"lead", "showing", "ignore", "unrecognized"}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECRET = "SCRIPTBODY"


def assert_survives(raw: bytes) -> Mail:
    """Read and parsed without raising, to a known kind, in strings that the database and
    JSON can hold, with no header smuggled in through a line break."""
    mail = read(raw)
    assert isinstance(mail, Mail)
    for value in (mail.subject, mail.from_name, mail.from_address, *mail.headers.values()):
        assert "\n" not in value and "\r" not in value
    for value in (mail.text, mail.html, *mail.meta.values(), *mail.to):
        value.encode("utf-8")
    outcome = parse_bytes(raw)
    assert outcome.kind in KINDS
    result = interface_json(outcome)
    assert result["kind"] in KINDS
    json.dumps(result, ensure_ascii=False).encode("utf-8")
    return mail


# ---- strategies -------------------------------------------------------------------------------

HEADER_NAMES = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Date", "Reply-To", "Message-ID", "Content-Type",
     "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version", "Auto-Submitted",
     "X-Autoreply", "Precedence", "List-Unsubscribe", "X-Spam-Flag", "X-Spam-Status",
     "Return-Path", "X-Unknown-\u00e9", "Bcc"]
)  # fmt: skip
NASTY_VALUES = st.sampled_from(
    ["=?utf-8?q?broken=ZZ?=", "=?x-unknown?b?!!!?=", "=?utf-8?b?" + "A" * 3 + "?=",
     "Jane <jane@example.com>\r\nBcc: victim@example.com", "a\nContent-Type: text/html",
     "x\r\n\r\n<script>alert(1)</script>", "\"unterminated <a@b", "<<<>>>@@@", "\x00\x01\x7f",
     "Mon, 99 Foo 99999 99:99:99 +9999", "(((((((((((", "=?utf-8?q?" + "=E2" * 40 + "?=",
     "multipart/mixed; boundary=", "text/plain; charset*=utf-8''%ff%fe", "yes"]
)  # fmt: skip
HEADER_VALUES = st.one_of(NASTY_VALUES, st.text(max_size=80))
CHARSETS = st.sampled_from(
    ["", "utf-8", "us-ascii", "iso-8859-1", "x-unknown", "utf-7", "utf-16", "utf-32", "idna",
     "rot13", "base64", "unicode_escape", "cp1252", "\"\"", "gb2312", "shift_jis", "utf-8\"x"]
)  # fmt: skip
ENCODINGS = st.sampled_from(
    ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", ""]
)
NASTY_BODIES = [b"abc=de*==\r\n!!!", b"=Z1=\r\n=", b"=\r\n=4", b"begin 644 x\r\n!!!\r\nend",
                b"====", b"Email: a@example.com\r\nPhone: (303) 555-0100",
                b"\xff\xfe\x00\xd8"]  # fmt: skip
BODIES = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(NASTY_BODIES),
)


def header_block(headers: list[tuple[str, str]]) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode(
        "utf-8", "surrogatepass"
    )


OUTER_TYPES = ["multipart/mixed", "multipart/alternative",
               "multipart/report; report-type=delivery-status"]  # fmt: skip


@st.composite
def hostile_messages(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=10))
    kind = draw(st.sampled_from(["text/plain", "text/html", "text/x-unknown", "application/x"]))
    charset = draw(CHARSETS)
    content_type = f"{kind}; charset={charset}" if charset else kind
    part = (
        f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {draw(ENCODINGS)}\r\n"
    ).encode() + b"\r\n"
    body = part + draw(BODIES)
    if draw(st.booleans()):
        outer = draw(st.sampled_from(OUTER_TYPES))
        closing = draw(st.sampled_from([b"\r\n--b--\r\n", b"", b"\r\n--b\r\n"]))
        body = f"Content-Type: {outer}; boundary=b\r\n\r\n--b\r\n".encode() + body + closing
    return header_block(headers) + body


@st.composite
def nested_messages(draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(min_value=1, max_value=120))
    inner = b"Content-Type: text/plain\r\n\r\nName: Deep\r\nEmail: deep@example.com\r\n"
    wrappers = draw(
        st.lists(st.sampled_from(["mixed", "rfc822", "alternative"]), min_size=depth,
                 max_size=depth)
    )  # fmt: skip
    for index, wrapper in enumerate(wrappers):
        if wrapper == "rfc822":
            inner = b"From: x@example.com\r\nContent-Type: message/rfc822\r\n\r\n" + inner
        else:
            boundary = f"n{index}".encode()
            inner = (
                b"Content-Type: multipart/" + wrapper.encode() + b"; boundary=" + boundary
                + b"\r\n\r\n--" + boundary + b"\r\n" + inner + b"\r\n--" + boundary + b"--\r\n"
            )  # fmt: skip
    return b"Subject: nested\r\n" + inner


NASTY_HTML = [f"<script>{SECRET}</script>", f"<SCRIPT type='text/javascript'>{SECRET}</SCRIPT >",
              '<a href="javascript:alert(1)">click</a>', "<img src=http://tracker.example.com/p.gif>",
              "<div><p><b>unclosed", "</td></tr></table>", "<!-- comment <script>x</script> -->",
              f"<style>p{{}}/*{SECRET}*/</style>", "<meta name=lead_email content=x@example.org>",
              "<br/>Email: lead@example.com<br/>Phone: 303-555-0100", "<iframe src=//example.com>",
              "<svg onload=alert(1)>", "&#x3c;script&#x3e;", "<p " + "a=b " * 50, "<",
              "<a href='JaVaScRiPt:alert(1)' onclick=alert(2)>x</a>"]  # fmt: skip
PLAIN = st.characters(blacklist_characters="<>&", blacklist_categories=["Cs"])
HTML_FRAGMENTS = st.one_of(
    st.text(alphabet=PLAIN, max_size=40),
    st.sampled_from(NASTY_HTML),
)


@st.composite
def hostile_html(draw: st.DrawFn) -> str:
    html = "".join(draw(st.lists(HTML_FRAGMENTS, max_size=25)))
    if draw(st.booleans()):
        html += "x" * draw(st.integers(min_value=1000, max_value=100_000))
    if draw(st.booleans()):
        html += "<div><span>" * draw(st.integers(min_value=1, max_value=10_000)) + "deep"
    return html


def html_message(html: str) -> bytes:
    return (
        b"From: Site <web@example.com>\r\nSubject: html\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html.encode("utf-8", "surrogatepass")
    )


# ---- properties -------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=3000))
def test_it_survives_arbitrary_bytes(raw: bytes) -> None:
    assert_survives(raw)


@FUZZ
@given(hostile_messages())
def test_it_survives_hostile_headers_charsets_and_encodings(raw: bytes) -> None:
    mail = assert_survives(raw)
    assert len(mail.text) <= MAX_PART


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested_messages())
def test_it_survives_deeply_nested_parts(raw: bytes) -> None:
    assert_survives(raw)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_html())
def test_it_survives_hostile_html(html: str) -> None:
    """A stray "<p a=b" swallows a following <script> tag in browsers too, so the text may
    show its body here; what must never survive sanitising is anything that runs or fetches."""
    mail = assert_survives(html_message(html))
    tags = TagCollector()
    tags.feed(safe_html(mail.html))
    assert tags.names <= TAGS
    for name, value in tags.attributes:
        assert not name.startswith("on") and name not in ("src", "style")
        if name == "href":
            assert value.split(":", 1)[0].lower() in ("http", "https", "mailto") or ":" not in value


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(alphabet=PLAIN, max_size=30),
    content=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60).filter(
        lambda t: "</" not in t
    ),
    tag=st.sampled_from(["script", "SCRIPT", "Script", "style"]),
    attributes=st.sampled_from(["", " type=text/javascript", " src='x.js' async", ' a=">"']),
    closing=st.sampled_from(["</{tag}>", "</{tag} >", "</{tag}\t>", "</{tag}>\n", ""]),
    after=st.text(alphabet=PLAIN, max_size=30),
)
def test_visible_text_never_contains_script_contents(
    before: str, content: str, tag: str, attributes: str, closing: str, after: str
) -> None:
    html = (
        f"<html><head><title>t</title></head><body><p>{before}</p>"
        f"<{tag}{attributes}>{SECRET}{content}{SECRET}{closing.format(tag=tag)}{after}</body></html>"
    )
    text, _meta = html_to_text(html)
    assert SECRET not in text
    cleaned = safe_html(html)
    assert SECRET not in cleaned and "<script" not in cleaned.lower()


def test_a_message_nested_300_deep_does_not_exhaust_the_stack() -> None:
    inner = b"Content-Type: text/plain\r\n\r\nhello\r\n"
    for index in range(150):
        boundary = f"n{index}".encode()
        inner = b"From: x@example.com\r\nContent-Type: message/rfc822\r\n\r\n" + inner
        inner = (
            b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary
            + b"\r\n" + inner + b"\r\n--" + boundary + b"--\r\n"
        )  # fmt: skip
    assert_survives(b"Subject: nested\r\n" + inner)


def test_a_self_closed_script_tag_hides_what_follows() -> None:
    text, _meta = html_to_text(f"<p>hi</p><script/>{SECRET}</script>")
    assert SECRET not in text


# ---- size and speed ---------------------------------------------------------------------------


def timed(raw: bytes) -> tuple[Mail, float]:
    started = time.perf_counter()
    mail = read(raw)
    outcome = parse_bytes(raw)
    assert outcome.kind in KINDS
    return mail, time.perf_counter() - started


def test_a_20_mb_attachment_is_not_read_into_the_text() -> None:
    marker = b"ATTACHMENT-PAYLOAD-"
    payload = base64.encodebytes(marker * (20 * 1024 * 1024 // len(marker)))
    raw = (
        b"From: Jane Buyer <jane@example.com>\r\nSubject: Offer documents\r\n"
        b"Content-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\n"
        b"Content-Type: text/plain\r\n\r\nName: Jane Buyer\r\nEmail: jane@example.com\r\n"
        b"\r\n--big\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="offer.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + payload + b"\r\n--big--\r\n"
    )
    mail, elapsed = timed(raw)
    assert "ATTACHMENT-PAYLOAD" not in mail.text and "ATTACHMENT-PAYLOAD" not in mail.html
    assert "Jane Buyer" in mail.text
    assert elapsed < 4, f"took {elapsed:.1f}s"


def test_a_very_long_single_line_is_quick() -> None:
    line = "Email: lead@example.com " + "word " * 200_000
    raw = b"Subject: long\r\nContent-Type: text/plain\r\n\r\n" + line.encode()
    _mail, elapsed = timed(raw)
    assert elapsed < 3, f"took {elapsed:.1f}s"


def test_an_html_bomb_of_nested_tags_is_quick() -> None:
    html = "<div><table><tr><td>" * 100_000 + "Email: lead@example.com"
    mail, elapsed = timed(html_message(html))
    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert len(mail.text) <= MAX_PART


def test_lines_of_blanks_are_quick() -> None:
    lines = (b" " * 1990 + b"x\r\n") * 40
    raw = b"Subject: blanks\r\nContent-Type: text/plain\r\n\r\n" + lines
    _mail, elapsed = timed(raw)
    assert elapsed < 0.5, f"took {elapsed:.1f}s"
