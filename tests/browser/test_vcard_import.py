"""Alice imports a .vcf file in a real browser and watches the job finish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.contacts.vcard_samples import ANDROID_21, IPHONE
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

NO_NAME = "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:970 555 0100\r\nEND:VCARD\r\n"


def test_alice_imports_a_vcard_file_on_a_phone(
    live_server: LiveServer,
    new_page: Callable[..., Page],
    artifacts: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    build_world()
    page = new_page(PHONE)
    log_in(page, live_server.url, "alice@example.com")

    page.goto(f"{live_server.url}/contacts/import/vcard/")
    page.screenshot(path=artifacts / "vcard-import-form.png", full_page=True)
    vcf = tmp_path / "phone.vcf"
    vcf.write_text(IPHONE + NO_NAME + ANDROID_21, encoding="utf-8")
    page.set_input_files("input[name=file]", str(vcf))
    page.get_by_label("Sphere").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and import").click()

    main = page.locator("main")
    expect(main).to_contain_text("Created 2 people; skipped 1 card")
    expect(page.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "100")
    expect(main.get_by_role("link", name="Download vcard-import-problems.csv")).to_be_visible()
    page.screenshot(path=artifacts / "vcard-import-done.png", full_page=True)
