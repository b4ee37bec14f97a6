"""The open-house kiosk on an iPad: two visitors sign in one after the other, the second
after the thank-you screen has reset the form by itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact
from prospects.models import OpenHouse, OpenHouseVisit
from tests.browser.conftest import log_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

IPAD = {"width": 768, "height": 1024}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}


def _fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width}px wide"


def _small_targets(page: Page) -> list[str]:
    """Buttons, inputs and answer buttons shorter than 48px."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
               'input:not([type=hidden]):not([type=radio]), button, .kiosk-option, a.btn'))
             .filter(el => el.getBoundingClientRect().height < 48)
             .map(el => el.outerHTML.slice(0, 80))"""
    )


def _fill(page: Page, first: str, last: str, email: str, phone: str) -> None:
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill(phone)


def test_it_signs_in_two_visitors_in_a_row(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    world = build_world()
    house = OpenHouse.objects.create(
        account=world.a,
        property_street="123 Main St",
        property_city="Fort Collins",
        property_state="CO",
        starts_at=timezone.now(),
    )
    url = f"{live_server.url}/prospects/kiosk/{house.kiosk_token}/"
    page = new_page(IPAD)

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to 123 Main St")
    expect(page.locator("header, nav")).to_have_count(0)
    _fill(page, "Dana", "Visitor", "dana@example.com", "")
    page.get_by_text("Not sure").click()
    page.get_by_text("Within 3 months").click()
    _fits(page, IPAD["width"])
    assert _small_targets(page) == []
    page.screenshot(path=artifacts / "kiosk-ipad.png", full_page=True)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Thank you for visiting!")).to_be_visible()
    page.screenshot(path=artifacts / "kiosk-ipad-thanks.png", full_page=True)
    # The thank-you screen goes back to an empty form by itself.
    expect(page).to_have_url(url, timeout=8_000)
    expect(page.get_by_label("First name")).to_have_value("")
    expect(page.get_by_label("Email")).to_have_value("")

    # The second visitor first forgets the contact details; what they typed stays.
    _fill(page, "Eli", "Second", "", "")
    page.get_by_text("Right away").click()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("email address or a phone number")
    expect(page.get_by_label("First name")).to_have_value("Eli")
    expect(page.get_by_label("Right away")).to_be_checked()
    page.screenshot(path=artifacts / "kiosk-ipad-error.png", full_page=True)
    page.get_by_label("Phone").fill("970 555 0188")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Thank you for visiting!")).to_be_visible()
    page.get_by_role("link", name="Next visitor").click()
    expect(page.get_by_label("First name")).to_have_value("")

    prospects = Contact.objects.filter(account=world.a, database="prospects", lead__isnull=False)
    names = set(prospects.values_list("first_name", flat=True))
    assert {"Dana", "Eli"} <= names
    assert OpenHouseVisit.objects.filter(open_house=house).count() == 2
    assert set(
        OpenHouseVisit.objects.filter(open_house=house).values_list(
            "contact__first_name", flat=True
        )
    ) == {"Dana", "Eli"}

    landscape = new_page(IPAD_LANDSCAPE)
    landscape.goto(url)
    expect(landscape.get_by_label("First name")).to_be_visible()
    _fits(landscape, IPAD_LANDSCAPE["width"])
    assert _small_targets(landscape) == []
    landscape.screenshot(path=artifacts / "kiosk-ipad-landscape.png", full_page=True)


def test_it_lets_the_agent_add_an_open_house_and_copy_its_link(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    world = build_world()
    page = new_page(IPAD)
    log_in(page, live_server.url, world.alice.email)

    page.goto(f"{live_server.url}/prospects/open-houses/")
    page.get_by_label("Street").fill("77 Birch Ave")
    page.get_by_label("City").fill("Loveland")
    page.get_by_label("Starts").fill("2030-05-04T13:00")
    page.get_by_label("Ends").fill("2030-05-04T16:00")
    page.get_by_role("button", name="Add open house").click()

    house = OpenHouse.objects.get(account=world.a, property_street="77 Birch Ave")
    link = f"{live_server.url}/prospects/kiosk/{house.kiosk_token}/"
    expect(page.get_by_label("Link")).to_have_value(link)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    _fits(page, IPAD["width"])
    page.screenshot(path=artifacts / "kiosk-agent-open-house.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_text("The link was revoked")).to_be_visible()
    house.refresh_from_db()
    assert house.kiosk_revoked_at is not None
