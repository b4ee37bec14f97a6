"""The call-down flow on a phone: log a connected call from the top of the list, and the
person moves to the bottom."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact, Note
from tests.browser.conftest import PHONE, log_in
from tests.contacts.people import make_person_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _fits(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page scrolls sideways: {scroll_width}px wide"


def test_it_logs_a_connected_call_and_sends_the_person_to_the_bottom(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    world = build_world()  # Alpha Realty already has one contact, called just now
    rosa = make_person_in(world.a, first="Rosa", last="Diaz", phones=["970 555 0101"])
    make_person_in(world.a, first="Tom", last="Baker", phones=["970 555 0102"])
    make_person_in(world.a, first="Li", last="Wong", emails=["li@example.com"])
    quiet = make_person_in(world.a, first="Omar", last="Haddad", phones=["303 555 0177"])
    Contact.objects.filter(pk=quiet.pk).update(
        last_contacted_at=timezone.now() - timedelta(days=200)
    )
    page = new_page(PHONE)
    log_in(page, live_server.url, "alice@example.com")

    page.goto(f"{live_server.url}/contacts/")
    rows = page.locator("table.contact-table > tbody > tr[data-row-url]")
    expect(rows).to_have_count(5)
    top = rows.first
    expect(top).to_have_id(f"contact-row-{rosa.pk}")
    expect(top).to_contain_text("Rosa Diaz")
    _fits(page)

    top.get_by_role("link", name="Log").click()
    log_row = page.locator(f"#log-row-{rosa.pk}")
    expect(log_row).to_be_visible()
    log_row.get_by_text("Call: connected").click()
    log_row.get_by_label("Note").fill("Thinking of selling in the spring.")
    _fits(page)
    log_row.get_by_role("button", name="Save").click()

    expect(log_row).to_have_count(0)
    row = page.locator(f"#contact-row-{rosa.pk}")
    expect(row).to_have_count(1)
    expect(row).to_have_class("row-logged")
    expect(row.locator(".badge", has_text="logged")).to_be_visible()
    expect(row).not_to_contain_text("never")
    _fits(page)
    page.screenshot(path=artifacts / "calldown-phone.png", full_page=True)

    note = Note.objects.get(contact=rosa)
    assert (note.kind, note.body) == ("call_connected", "Thinking of selling in the spring.")

    page.reload()
    expect(rows).to_have_count(5)
    expect(rows.last).to_have_id(f"contact-row-{rosa.pk}")
    expect(rows.first).to_contain_text("Tom Baker")
    expect(page.locator(".pagination")).to_have_count(0)  # one page: the last row is the bottom
    _fits(page)
