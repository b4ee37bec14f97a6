"""Lead details on prospects: sources, stages, first response, qualifying, filters."""

from __future__ import annotations

from django.test import Client

from contacts.models import Contact, Note
from contacts.services import contact_log
from prospects.models import DEFAULT_LEAD_SOURCES, Lead, LeadSource
from tests.world import World


def _prospect(world: World) -> Contact:
    return Contact.objects.get(account=world.a, first_name="alphalead")


def test_it_seeds_the_lead_sources_for_every_new_account(world: World) -> None:
    names = set(LeadSource.objects.filter(account=world.c).values_list("name", flat=True))
    assert names == {name for _, name in DEFAULT_LEAD_SOURCES}


def test_it_records_the_first_response_and_moves_the_stage(world: World) -> None:
    prospect = _prospect(world)
    contact_log(contact=prospect, actor=world.alice, kind="left_message")
    lead = Lead.objects.get(contact=prospect)
    first = lead.first_response_at
    assert first is not None and lead.stage == "attempted"

    contact_log(contact=prospect, actor=world.alice, kind="call_connected")
    lead.refresh_from_db()
    assert lead.first_response_at == first  # the first response stays the first
    assert lead.stage == "contacted"


def test_it_qualifies_a_prospect_on_the_same_row_with_its_notes(
    alice: Client, world: World
) -> None:
    prospect = _prospect(world)
    contact_log(contact=prospect, actor=world.alice, kind="call_connected", body="wants a tour")

    response = alice.post(f"/prospects/{prospect.pk}/qualify/")

    prospect.refresh_from_db()
    assert response.status_code == 302
    assert prospect.database == "contacts"
    assert Note.objects.filter(contact=prospect, body="wants a tour").exists()
    assert Lead.objects.get(contact=prospect).qualified_at is not None


def test_it_filters_prospects_by_stage_source_and_type(alice: Client, world: World) -> None:
    zillow = LeadSource.objects.get(account=world.a, key="zillow")
    base = "/contacts/?database=prospects"

    def names(query: str) -> set[str]:
        page = alice.get(f"{base}&{query}").context["page"]
        return {c.first_name for c in page.object_list}

    assert names(f"lead_source={zillow.pk}") == {"alphalead"}
    assert names("stage=new&lead_type=buyer") == {"alphalead"}
    assert names("stage=closed") == set()


def test_it_shows_and_edits_the_lead_on_the_persons_page(alice: Client, world: World) -> None:
    prospect = _prospect(world)
    page = alice.get(f"/contacts/{prospect.pk}/").content.decode()
    assert "9 alpha Court" in page and "Qualify into contacts" in page

    response = alice.post(
        f"/prospects/{prospect.pk}/lead/",
        {"stage": "appointment", "lead_type": "seller", "received_at": "2026-11-20T09:30"},
    )

    assert response.status_code == 302
    assert Lead.objects.get(contact=prospect).stage == "appointment"


def test_it_refuses_another_accounts_prospect(alice: Client, world: World) -> None:
    theirs = Contact.objects.get(account=world.b, first_name="bravolead")
    assert alice.get(f"/prospects/{theirs.pk}/lead/").status_code == 404
    assert alice.post(f"/prospects/{theirs.pk}/qualify/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.database == "prospects"


def test_it_adds_and_retires_lead_sources(alice: Client, world: World) -> None:
    alice.post("/prospects/sources/", {"name": "Billboard"})
    duplicate = alice.post("/prospects/sources/", {"name": "billboard"})
    billboard = LeadSource.objects.get(account=world.a, name="Billboard")
    alice.post(f"/prospects/sources/{billboard.pk}/toggle/")

    billboard.refresh_from_db()
    assert "already a lead source" in duplicate.content.decode()
    assert not billboard.is_active
