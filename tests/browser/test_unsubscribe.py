"""The unsubscribe link of a drip email, opened in Chromium as a recipient would: it names
the address, offers one button, and opts out only that address of that person (a dated
note, every drip of theirs stopped); a tampered link changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact, Email, Note
from drips import sequences
from drips.models import Enrollment, Sequence
from drips.unsubscribe import token_for
from tests.browser.conftest import DESKTOP, PHONE
from tests.contacts.people import make_person_in
from tests.world import World, build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _person_on_a_drip(world: World, first: str, address: str) -> tuple[Contact, Email]:
    person = make_person_in(world.a, first=first, last="Reader", emails=[address])
    sequence = Sequence.objects.filter(account=world.a).order_by("pk").first()
    assert sequence is not None, "every account gets the ready-made sequences"
    assert sequences.enroll(people=[person], sequence=sequence, actor=world.alice) == 1
    return person, Email.objects.get(contact=person)


def _link(live_server: LiveServer, email: Email) -> str:
    """``unsubscribe.url_for`` but on the live server (SITE_URL points elsewhere)."""
    return live_server.url + reverse("unsubscribe", args=[token_for(email)])


def _fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width}px wide"


def _still_subscribed(person: Contact, email: Email) -> None:
    email.refresh_from_db()
    assert email.status == "ok" and email.status_changed_at is None
    assert not Note.objects.filter(contact=person).exists()
    assert Enrollment.objects.get(contact=person).status == "active"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_one_click_opts_the_address_out_notes_it_and_stops_the_drips(
    live_server: LiveServer,
    new_page: Callable[..., Page],
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    world = build_world()
    person, email = _person_on_a_drip(world, "Ursula", "ursula@example.com")
    name = "desktop" if viewport == DESKTOP else "phone"
    page = new_page(viewport)
    response = page.goto(_link(live_server, email))
    assert response is not None and response.status == 200
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Unsubscribe?")
    expect(main).to_contain_text("ursula@example.com")
    expect(main.get_by_role("button")).to_have_count(1)
    _fits(page, viewport["width"])
    page.screenshot(path=artifacts / f"unsubscribe-{name}.png", full_page=True)

    main.get_by_role("button", name="Unsubscribe").click()
    expect(main.locator("h1")).to_have_text("You are unsubscribed")
    expect(main).to_contain_text("ursula@example.com will get no more emails from Alice Agent")
    expect(main.get_by_role("button")).to_have_count(0)
    _fits(page, viewport["width"])
    page.screenshot(path=artifacts / f"unsubscribe-{name}-done.png", full_page=True)

    email.refresh_from_db()
    assert email.status == "opted_out" and email.status_changed_at is not None
    day = timezone.localdate().isoformat()
    note = Note.objects.get(contact=person)
    assert note.kind == "system"
    assert (
        note.body == f"Unsubscribed ursula@example.com from email on {day} (the link in an email)."
    )
    enrollment = Enrollment.objects.get(contact=person)
    assert enrollment.status == "stopped"
    assert enrollment.stopped_reason == "Unsubscribed ursula@example.com"

    page.reload()  # the link opened again: still unsubscribed, nothing written twice
    expect(main.locator("h1")).to_have_text("You are unsubscribed")
    assert Note.objects.filter(contact=person).count() == 1


def test_a_tampered_link_is_not_valid_and_changes_nothing(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    world = build_world()
    person, email = _person_on_a_drip(world, "Tess", "tess@example.com")
    token = token_for(email)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    url = live_server.url + reverse("unsubscribe", args=[tampered])
    page = new_page(PHONE)
    response = page.goto(url)
    assert response is not None and response.status == 404
    expect(page.locator("main h1")).to_have_text("This link does not work")
    expect(page.locator("main")).not_to_contain_text("tess@example.com")
    expect(page.locator("main").get_by_role("button")).to_have_count(0)
    _fits(page, PHONE["width"])
    page.screenshot(path=artifacts / "unsubscribe-invalid-phone.png", full_page=True)
    # A mail client's one-click POST to the same link does nothing either.
    answer = page.request.post(url, form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 404
    _still_subscribed(person, email)


def test_the_link_of_one_person_cannot_opt_out_another(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    world = build_world()
    xavier, x_email = _person_on_a_drip(world, "Xavier", "xavier@example.com")
    yvonne, y_email = _person_on_a_drip(world, "Yvonne", "yvonne@example.com")
    page = new_page(DESKTOP)
    page.goto(_link(live_server, x_email))
    main = page.locator("main")
    expect(main).to_contain_text("xavier@example.com")
    expect(main).not_to_contain_text("yvonne@example.com")
    main.get_by_role("button", name="Unsubscribe").click()
    expect(main.locator("h1")).to_have_text("You are unsubscribed")
    x_email.refresh_from_db()
    assert x_email.status == "opted_out"
    assert Enrollment.objects.get(contact=xavier).status == "stopped"
    _still_subscribed(yvonne, y_email)
    # Xavier's signed value with Yvonne's address id put in is no longer a valid link.
    x_token, y_token = token_for(x_email), token_for(y_email)
    spliced = y_token.split(":")[0] + ":" + ":".join(x_token.split(":")[1:])
    response = page.goto(live_server.url + reverse("unsubscribe", args=[spliced]))
    assert response is not None and response.status == 404
    _still_subscribed(yvonne, y_email)
