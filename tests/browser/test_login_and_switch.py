"""Ann signs in through the real login page and switches accounts from the header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [
    pytest.mark.browser,
    # WhiteNoise notes the missing STATIC_ROOT; the live server serves static files itself.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_ann_logs_in_and_switches_to_charlie_properties(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    build_world()
    page = new_page()

    log_in(page, live_server.url, "ann@example.com")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Alpha Realty")
    switcher = page.locator("select#account-switch")
    expect(switcher.locator("option:checked")).to_have_text("Alpha Realty")

    with page.expect_navigation():
        switcher.select_option(label="Charlie Properties")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(main.get_by_role("heading", level=1)).to_have_text("Charlie Properties")
    expect(main).to_contain_text("You are working in Charlie Properties.")
    expect(main).not_to_contain_text("Alpha Realty")
    expect(switcher.locator("option:checked")).to_have_text("Charlie Properties")
    page.screenshot(path=artifacts / "login-and-switch.png", full_page=True)


def test_the_dashboard_fits_a_phone(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    build_world()
    page = new_page(PHONE)

    log_in(page, live_server.url, "ann@example.com")
    expect(page.locator("main").get_by_role("heading", level=1)).to_have_text("Alpha Realty")
    expect(page.locator("select#account-switch")).to_be_visible()
    page.screenshot(path=artifacts / "dashboard-phone.png", full_page=True)

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page scrolls sideways: {scroll_width}px wide"
    for name in ("user-menu", "import-menu"):
        menu = page.locator(f"header.topbar .{name} > summary").bounding_box()
        assert menu is not None
        assert menu["x"] + menu["width"] <= PHONE["width"], f"the {name} falls off the screen"
