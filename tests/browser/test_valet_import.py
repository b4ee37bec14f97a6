"""Alice imports a FSBO list through the Import menu in a real browser: upload, check the
mapping and preview, import, and see the counts; the mapping page on a phone too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

FSBO = (
    "Owner Name;Site Address;Site City;Mailing Address;Mailing City;Mailing State;Mailing Zip;"
    "Phone 1;Email;List Price\n"
    "Smith, John;12 Oak St;Fort Collins;PO Box 5;Loveland;CO;80537;(970) 555-0123;"
    "john@example.com;425,000\n"
    "Mary Jones;9 Elm Ct;Denver;9 Elm Ct;Denver;CO;80202;970.555.0199;mary@;310,000\n"
    ";;;;;;;;orphan@example.com;\n"
    "Zoë Peña;3 Vine Dr;Fort Collins;3 Vine Dr;Fort Collins;CO;80521;;zoe@example.com;550,000\n"
)


def test_alice_imports_a_fsbo_list_from_the_import_menu(
    live_server: LiveServer,
    new_page: Callable[..., Page],
    artifacts: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    build_world()
    page = new_page()
    log_in(page, live_server.url, "alice@example.com")

    page.locator(".import-menu > summary").click()
    page.get_by_role("link", name="Import CSV or Excel file").click()
    expect(page.locator("h1")).to_have_text("Import CSV or Excel file")
    listing = tmp_path / "fsbo-list.csv"
    listing.write_bytes(FSBO.encode("cp1252"))  # as Excel on Windows saves it
    page.set_input_files("input[name=file]", str(listing))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and map columns").click()

    main = page.locator("main")
    expect(main).to_contain_text("CSV, semicolons, cp1252")
    expect(page.get_by_label("Owner Name")).to_have_value("full_name")
    expect(page.get_by_label("Site Address")).to_have_value("property_street")
    expect(main.locator(".preview-table")).to_contain_text("Zoë")
    expect(main.locator(".preview-table")).to_contain_text("not an email address")
    page.get_by_label("Farm").check()
    page.get_by_label("Save these choices as a menu item").fill("FSBO list")
    page.screenshot(path=artifacts / "import-map.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Import", exact=True).click()

    counts = main.locator(".counts")
    expect(counts).to_contain_text("3 created")
    expect(counts).to_contain_text("1 with errors")
    expect(main.get_by_role("link", name="Download the problem report (CSV)")).to_be_visible()
    expect(main.get_by_role("button", name="Undo this import")).to_be_visible()
    page.screenshot(path=artifacts / "import-done.png", full_page=True)

    page.locator(".import-menu > summary").click()
    expect(page.get_by_role("link", name="Import FSBO list")).to_be_visible()
    page.screenshot(path=artifacts / "import-menu.png")

    phone = new_page(PHONE)
    log_in(phone, live_server.url, "alice@example.com")
    phone.goto(f"{live_server.url}/prospects/imports/")
    phone.set_input_files("input[name=file]", str(listing))
    with phone.expect_navigation():
        phone.get_by_role("button", name="Upload and map columns").click()
    expect(phone.get_by_label("Owner Name")).to_have_value("full_name")
    phone.screenshot(path=artifacts / "import-map-phone.png", full_page=True)
