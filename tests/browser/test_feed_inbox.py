"""The lead feed in a real browser: the test-lead button, the inbox, one message shown
safely, and an unreadable message made into a prospect by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from crm.celery import app as celery_app
from emailfeed import processing
from emailfeed.ingest import ingest
from tests.browser.conftest import PHONE, log_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser]

UNREADABLE = (
    b"From: Aunt May <may@example.org>\r\nSubject: Fwd: my neighbour wants to sell\r\n"
    b"Message-ID: <aunt-1@example.org>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>Hi! Call <b>Jo Marsh</b>, she is thinking of selling.<script>alert(1)</script>"
    b'<img src="https://tracker.example/pixel.gif"></p>'
)


def test_the_agent_checks_the_feed_and_rescues_an_unreadable_email(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path, settings: Any
) -> None:
    assert celery_app.conf.task_always_eager
    world = build_world()
    page = new_page()
    log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/emailfeed/settings/")
    expect(page.locator(".feed-address")).to_contain_text("leads+")
    page.get_by_role("button", name="Send a test lead").click()
    expect(page.locator(".badge.status-lead_created")).to_be_visible()
    page.screenshot(path=artifacts / "feed-test-lead.png", full_page=True)

    message, _ = ingest(world.a.pk, UNREADABLE, "command")
    processing.process(message)
    page.goto(f"{live_server.url}/emailfeed/")
    expect(page.locator("main")).to_contain_text("Fwd: my neighbour wants to sell")
    page.screenshot(path=artifacts / "feed-inbox.png", full_page=True)
    page.get_by_role("link", name="Fwd: my neighbour wants to sell").click()
    body = page.locator(".mail-body")
    expect(body).to_contain_text("Jo Marsh")
    assert body.locator("script, img").count() == 0
    page.get_by_role("link", name="Make a prospect from this by hand").click()
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Marsh")
    page.get_by_role("button", name="Create prospect").click()
    expect(page.locator("h1")).to_contain_text("Jo Marsh")

    phone = new_page(PHONE)
    log_in(phone, live_server.url, "alice@example.com")
    phone.goto(f"{live_server.url}/emailfeed/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    phone.screenshot(path=artifacts / "feed-inbox-phone.png", full_page=True)


def test_the_content_library_previews_a_letter_on_a_real_person(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    from drips.models import ContentItem

    world = build_world()
    item = ContentItem.objects.filter(account=world.a, series="FSBO").order_by("title").first()
    assert item is not None
    page = new_page()
    log_in(page, live_server.url, "alice@example.com")
    page.get_by_role("link", name="Drips & email").click()
    expect(page.locator("main")).to_contain_text("FSBO")
    page.goto(f"{live_server.url}/drips/library/{item.pk}/")
    expect(page.locator("main")).to_contain_text("Preview for")
    expect(page.locator(".mail-text")).not_to_contain_text("{{")
    page.screenshot(path=artifacts / "library-item.png", full_page=True)


def test_a_person_is_put_on_a_drip_from_their_record(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    from contacts.models import Contact

    world = build_world()
    person = Contact.objects.get(account=world.a, first_name="alphafirst")
    page = new_page()
    log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/contacts/{person.pk}/")
    panel = page.locator("#drips")
    panel.get_by_label("Start a drip").select_option(label="FSBO")
    panel.get_by_role("button", name="Start").click()
    expect(page.locator("#drips")).to_contain_text("FSBO")
    expect(page.locator("#drips")).to_contain_text("Active")
    page.locator("#drips").screenshot(path=artifacts / "drips-panel.png")
