"""Mail merge in its sandbox, the seeded library with its preview, and unsubscribe links
that cannot be forged or replayed against another person."""

from __future__ import annotations

import pytest
from django.test import Client

from contacts.models import Email, Note
from contacts.services import AddressInput
from drips import merge, unsubscribe
from drips.library import seeded_items
from drips.models import ContentItem
from tests.conftest import login
from tests.contacts.people import make_person_in
from tests.world import World


def test_fields_fill_in_and_fallbacks_cover_blanks() -> None:
    result = merge.render(
        'Dear {{ first_name|default:"Neighbor" }}, about {{ property_address }}.',
        {"first_name": "", "property_address": "12 Oak St"},
    )
    assert result.text == "Dear Neighbor, about 12 Oak St."
    assert result.ok and not result.missing


def test_a_field_without_value_or_fallback_is_reported_never_dear_comma() -> None:
    result = merge.render("Dear {{ first_name }},", {"first_name": ""})
    assert result.missing == ["first_name"]


@pytest.mark.parametrize(
    "template",
    [
        "{{ settings.SECRET_KEY }}",
        "{% load static %}",
        "{{ first_name.__class__ }}",
        "{% include 'base.html' %}",
        "{{ unknown_field }}",
        "{{ first_name|upper }}",
    ],
)
def test_the_sandbox_reaches_nothing_but_merge_fields(template: str) -> None:
    result = merge.render(template, {"first_name": "Ann"})
    assert not result.ok and result.text == ""


def test_values_come_from_the_person_and_the_agent(world: World) -> None:
    person = make_person_in(world.a, first="Jack", last="Smith", salutation="Jack & Sandy Smith",
                            addresses=[AddressInput(street="1 Elm", city="Loveland", state="CO",
                                                    postal_code="80537")])  # fmt: skip
    values = merge.values_for(person, agent=world.alice)
    assert values["salutation"] == "Jack & Sandy Smith"
    assert values["mailing_address"] == "1 Elm\nLoveland, CO 80537"
    assert values["agent_name"] == "Alice Agent"


def test_every_seeded_item_renders_without_problems_for_a_bare_person(world: World) -> None:
    bare = make_person_in(world.a, last="Nofirstname")
    values = merge.values_for(bare, agent=world.alice, unsubscribe_url="https://x.example/u/t/")
    for item in seeded_items():
        for part in (item.get("subject", ""), item["body"]):
            rendered = merge.render(part, values)
            assert rendered.ok, (item["key"], rendered.problems)
            assert "first_name" not in rendered.missing, item["key"]
            assert "Dear ," not in rendered.text and "Hi ," not in rendered.text, item["key"]
        if item["kind"] == "email":  # eCards carry it in their frame (drips/email/card.html)
            assert "{{ unsubscribe_url }}" in item["body"], item["key"]


def test_new_accounts_get_the_library_and_the_page_previews_a_person(
    world: World, client: Client
) -> None:
    keys = {item["key"] for item in seeded_items()}
    assert len(keys) >= 50  # 40 letters and emails, 10 eCards, flyers
    seeded = ContentItem.objects.filter(account=world.c).exclude(key="")
    assert set(seeded.values_list("key", flat=True)) == keys
    login(client, world.alice.email)
    item = ContentItem.objects.filter(account=world.a).order_by("pk").first()
    assert item is not None
    page = client.get(f"/drips/library/{item.pk}/").content.decode()
    assert "Preview for" in page
    listing = client.get("/drips/library/").content.decode()
    assert item.title in listing and "bravo" not in listing.lower()


def test_unsubscribe_opts_out_with_a_dated_note_and_cannot_be_forged(world: World) -> None:
    person = make_person_in(world.a, first="Una", last="Sub", emails=["una@example.com"])
    email = person.emails.get()
    headers = unsubscribe.headers_for(email)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = unsubscribe.url_for(email)
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client()
    assert "Unsubscribe?" in anonymous.get(f"/{path}").content.decode()
    assert anonymous.post(f"/{path}", {"List-Unsubscribe": "One-Click"}).status_code == 200
    email.refresh_from_db()
    assert email.status == "opted_out"
    assert Note.objects.filter(
        contact=person, body__contains="Unsubscribed una@example.com"
    ).exists()
    # Another person's id in a tampered token, or garbage: refused, nothing changes.
    other = Email.objects.filter(account=world.b).first()
    assert other is not None
    token = unsubscribe.token_for(email)
    forged = token.replace(token.split(":")[0], unsubscribe.token_for(other).split(":")[0])
    assert anonymous.post(f"/u/{forged}/").status_code == 404
    assert anonymous.post("/u/garbage/").status_code == 404
    other.refresh_from_db()
    assert other.status == "ok"
