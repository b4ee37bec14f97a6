"""Bulk eCards in a real browser: from the filtered people list through the composer's
counts and test send to the progress page; and this week's birthdays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import EmailStatus
from tests.browser.conftest import PHONE, log_in
from tests.contacts.people import category, make_person_in
from tests.world import build_world

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser]


def test_the_agent_sends_a_holiday_ecard_to_her_sphere(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    world = build_world()
    make_person_in(world.a, first="Olive", last="Open", emails=["olive@example.com"],
                   categories=["sphere"])  # fmt: skip
    out = make_person_in(world.a, first="Otto", last="Out", emails=["otto@example.com"],
                         categories=["sphere"])  # fmt: skip
    out.emails.update(status=EmailStatus.OPTED_OUT)
    make_person_in(world.a, first="Nora", last="Nomail", categories=["sphere"])
    sphere = category(world.a, "sphere")
    mail.outbox.clear()

    page = new_page()
    log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/contacts/?cat_any={sphere.pk}")
    page.locator("summary", has_text="Bulk actions").click()
    page.locator("input[name=all_matching]").check()
    page.select_option("#bulk-action", "send_email")
    page.get_by_role("button", name="Apply to selection").click()
    expect(page.locator("h2")).to_contain_text("The current contacts filter")

    page.select_option("#campaign-content", label="eCard: Thanksgiving · eCards: Holidays")
    page.get_by_role("button", name="Count and check").click()
    expect(page.locator("#campaign-breakdown")).to_contain_text("1 of 3 will get it")
    expect(page.locator("#campaign-breakdown")).to_contain_text("Email opted out")
    expect(page.locator("#campaign-breakdown")).to_contain_text("No email address")
    page.get_by_role("button", name="Send a test to alice@example.com").click()
    expect(page.locator(".flashes")).to_contain_text("Test sent to alice@example.com")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    page.screenshot(path=artifacts / "bulk-compose.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send to 1 person").click()
    expect(page.locator(".job")).to_contain_text("Done")
    expect(page.locator("main")).to_contain_text("Email opted out")
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "olive@example.com"]
    page.screenshot(path=artifacts / "bulk-sent.png", full_page=True)

    phone = new_page(PHONE)
    log_in(phone, live_server.url, "alice@example.com")
    phone.goto(f"{live_server.url}/drips/bulk/")
    expect(phone.locator("main")).to_contain_text("eCard: Thanksgiving")
    phone.screenshot(path=artifacts / "bulk-list-phone.png", full_page=True)


def test_this_weeks_birthdays_take_one_click_each(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts: Path
) -> None:
    world = build_world()
    today = timezone.localdate()
    make_person_in(world.a, first="Bree", last="Day", emails=["bree@example.com"],
                   phones=["970-555-0101"], birthday=today.replace(year=1980))  # fmt: skip
    make_person_in(world.a, first="Hank", last="Home", phones=["970-555-0102"],
                   home_anniversary=(today - dt.timedelta(days=365 * 3)))  # fmt: skip
    mail.outbox.clear()
    page = new_page()
    log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/drips/occasions/")
    row = page.locator("tr", has_text="Bree Day")
    row.get_by_role("button", name="Send eCard").click()
    expect(page.locator(".flashes")).to_contain_text("“eCard: Birthday” is on its way to Bree Day")
    expect(page.locator("tr", has_text="Bree Day")).to_contain_text("eCard sent")
    assert [m.to for m in mail.outbox] == [["bree@example.com"]]
    page.screenshot(path=artifacts / "occasions.png", full_page=True)
    phone = new_page(PHONE)
    log_in(phone, live_server.url, "alice@example.com")
    phone.goto(f"{live_server.url}/drips/occasions/")
    phone.screenshot(path=artifacts / "occasions-phone.png", full_page=True)
