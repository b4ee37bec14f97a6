"""The agent's call-capture pages in a real browser: Twilio settings, listing codes, a
code with its flyer text and photos, and the hotline log; on a desktop and a phone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from callcapture.models import HotlineEvent, ListingCode
from tests.browser.conftest import PHONE, log_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser]


def test_the_agent_sets_up_a_listing_code(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path, settings: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    page = new_page()
    log_in(page, live_server.url, "alice@example.com")
    page.get_by_role("link", name="Call capture").click()
    expect(page.locator("main")).to_contain_text("999")
    page.screenshot(path=artifacts / "callcapture-codes.png", full_page=True)
    page.get_by_role("link", name="New listing code").click()
    page.get_by_label("Property street").fill("88 Aspen Ridge")
    page.get_by_label("Price").fill("615000")
    page.get_by_label("Beds").fill("4")
    page.get_by_label("Baths").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("is live on the hotline")
    code = ListingCode.objects.get(account=world.a, property_street="88 Aspen Ridge")
    expect(page.locator("main")).to_contain_text(f"/f/{code.flyer_token}/")
    expect(page.locator("main")).to_contain_text("Offered at 615,000 dollars")
    page.screenshot(path=artifacts / "callcapture-code-edit.png", full_page=True)
    page.goto(f"{live_server.url}/callcapture/settings/")
    expect(page.get_by_label("Account SID")).to_have_value(f"AC{world.a.pk:032d}")
    page.screenshot(path=artifacts / "callcapture-settings.png", full_page=True)
    HotlineEvent.objects.create(
        account=world.a, kind="call", sid="CAshot", from_number="+17205550142",
        to_number="+13035550001", code="999", outcome="heard listing",
    )  # fmt: skip
    phone = new_page(PHONE)
    log_in(phone, live_server.url, "alice@example.com")
    phone.goto(f"{live_server.url}/callcapture/log/")
    expect(phone.locator("main")).to_contain_text("heard listing")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    phone.screenshot(path=artifacts / "callcapture-log-phone.png", full_page=True)
