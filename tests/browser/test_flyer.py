"""The electronic flyer a texter gets, on a phone in a real browser; and the texts panel
on a person's record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from callcapture.models import ListingCode, TextMessage, TwilioNumber
from contacts.models import Contact
from tests.browser.conftest import PHONE, log_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _house_picture() -> bytes:
    """A drawn house (sky, lawn, walls, roof, door): a photo stand-in a person can see."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 520), (135, 185, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 800, 520), fill=(90, 160, 80))
    draw.rectangle((220, 230, 580, 420), fill=(235, 225, 205))
    draw.polygon([(190, 240), (400, 110), (610, 240)], fill=(150, 60, 50))
    draw.rectangle((370, 320, 430, 420), fill=(90, 60, 40))
    draw.rectangle((260, 270, 330, 330), fill=(200, 230, 250))
    draw.rectangle((470, 270, 540, 330), fill=(200, 230, 250))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_the_flyer_fits_a_phone_and_offers_to_call_and_text(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path, settings: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    world.alice.mobile_phone = "(970) 555-0100"
    world.alice.save()
    listing = ListingCode.objects.get(account=world.a, code="999")
    listing.headline = "Just listed"
    listing.square_feet = 1850
    listing.save()
    photo = listing.photos.get()
    photo.image.save("front.png", ContentFile(_house_picture()), save=True)
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/f/{listing.flyer_token}/")
    expect(page.locator("h1")).to_have_text("123 alpha Main St")
    expect(page.locator(".flyer-price")).to_have_text("$425,000")
    expect(page.locator(".flyer-facts")).to_contain_text("1,850 sq ft")
    expect(page.get_by_role("link", name="Call (970) 555-0100")).to_be_visible()
    expect(page.get_by_role("link", name="Text a question")).to_have_attribute(
        "href", f"sms:{TwilioNumber.objects.get(account=world.a).e164}"
    )
    image = page.locator(".flyer-photos img").first
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('.flyer-photos img').naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=artifacts / "flyer-phone.png", full_page=True)


def test_the_record_shows_the_text_thread_and_dial_buttons(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path, settings: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    person = Contact.objects.get(account=world.a, first_name="alphafirst")
    TextMessage.objects.create(
        account=world.a, contact=person, direction="in", body="Is 999 still available?",
        from_number="+19705550123", to_number="+13035550001", status="received",
    )  # fmt: skip
    page = new_page()
    log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/contacts/{person.pk}/")
    panel = page.locator("#texts")
    expect(panel).to_contain_text("Is 999 still available?")
    expect(panel).to_contain_text("hello alpha")
    expect(panel.get_by_role("button", name="☎ Call (970) 555-0123")).to_be_visible()
    panel.screenshot(path=artifacts / "texts-panel.png")
