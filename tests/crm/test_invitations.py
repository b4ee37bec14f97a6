import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from crm.models import Invitation, Membership, Role, User
from tests.conftest import login
from tests.world import PASSWORD, World

NEWBIE = "newbie@example.com"


@pytest.fixture
def send(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """POST the invitation form; the email goes out when the transaction commits."""

    def post(client: Client, email: str, role: str = Role.ASSISTANT, **flags: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/team/", {"email": email, "role": role, **flags})

    return post


def _link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_it_invites_by_email(alice: Client, world: World, send: Callable[..., Any]) -> None:
    response = send(alice, NEWBIE, Role.ASSISTANT, can_export="on")

    assert response.status_code == 302
    assert response.url == "/team/"
    invitation = Invitation.objects.get(account=world.a, email=NEWBIE)
    assert invitation.invited_by == world.alice
    assert invitation.can_export and not invitation.can_delete
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEWBIE]
    assert "Alpha Realty" in message.subject
    assert _link_in(message) == f"/invitations/{invitation.token}/"


def test_it_lists_the_open_invitation_on_the_team_page(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    send(alice, NEWBIE)

    response = alice.get("/team/")

    assert NEWBIE in response.content.decode()
    assert "bravo" not in response.content.decode().lower()


def test_it_lets_a_new_person_join(alice: Client, world: World, send: Callable[..., Any]) -> None:
    send(alice, NEWBIE, Role.PARTNER, can_see_income="on", can_delete="on")
    link = _link_in(mail.outbox[0])
    alice.post("/accounts/logout/")
    newbie = Client()

    page = newbie.get(link)
    assert page.status_code == 200
    assert b"Join Alpha Realty" in page.content
    response = newbie.post(
        link,
        {"full_name": "Nell Newbie", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/"
    assert b"Alpha Realty" in response.content
    user = User.objects.get(email=NEWBIE)
    assert user.full_name == "Nell Newbie"
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(account=world.a, user=user)
    assert membership.role == Role.PARTNER
    assert membership.can_see_income and membership.can_delete
    assert not membership.can_export and not membership.can_manage_users
    assert Invitation.objects.get(email=NEWBIE).accepted_by == user


def test_it_lets_the_new_member_log_in_later(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    send(alice, NEWBIE)
    link = _link_in(mail.outbox[0])
    newbie = Client()
    newbie.post(link, {"full_name": "Nell", "password1": PASSWORD, "password2": PASSWORD})
    newbie.post("/accounts/logout/")

    response = newbie.post("/accounts/login/", {"login": NEWBIE, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"
    assert b"<h1>Alpha Realty</h1>" in newbie.get("/").content


def test_it_refuses_differing_passwords(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    send(alice, NEWBIE)
    link = _link_in(mail.outbox[0])

    response = Client().post(
        link, {"full_name": "Nell", "password1": PASSWORD, "password2": PASSWORD + "x"}
    )

    assert response.status_code == 200
    assert b"The two passwords differ." in response.content
    assert not User.objects.filter(email=NEWBIE).exists()


def test_it_asks_an_existing_user_to_log_in_first(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    send(alice, world.carl.email)
    link = _link_in(mail.outbox[0])
    carl = Client()

    page = carl.post(link)
    assert page.status_code == 200
    assert b"You already have a login" in page.content
    assert not Membership.objects.filter(account=world.a, user=world.carl).exists()

    signed_in = carl.post(
        f"/accounts/login/?next={link}", {"login": world.carl.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in.url == link
    response = carl.post(link, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert b"<h1>Alpha Realty</h1>" in response.content
    membership = Membership.objects.get(account=world.a, user=world.carl)
    assert membership.role == Role.ASSISTANT
    assert not membership.can_delete


def test_it_refuses_an_invitation_meant_for_someone_else(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    send(alice, NEWBIE)
    link = _link_in(mail.outbox[0])

    response = login(Client(), world.carl.email).post(link, follow=True)

    assert b"This invitation is for newbie@example.com" in response.content
    assert not Membership.objects.filter(account=world.a, user=world.carl).exists()
    assert Invitation.objects.get(email=NEWBIE).accepted_at is None


def test_it_shows_the_invalid_page_for_an_expired_token(client: Client, world: World) -> None:
    invitation = Invitation.objects.get(account=world.a)
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()

    response = client.get(f"/invitations/{invitation.token}/")

    assert response.status_code == 404
    assert b"This invitation is no longer valid" in response.content


def test_it_shows_the_invalid_page_for_a_used_token(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    send(alice, NEWBIE)
    link = _link_in(mail.outbox[0])
    data = {"full_name": "Nell", "password1": PASSWORD, "password2": PASSWORD}
    assert Client().post(link, data).status_code == 302

    response = Client().post(link, data)

    assert response.status_code == 404
    assert b"This invitation is no longer valid" in response.content
    assert Membership.objects.filter(user__email=NEWBIE).count() == 1


def test_it_shows_the_invalid_page_for_an_unknown_token(client: Client, world: World) -> None:
    response = client.get("/invitations/no-such-token/")

    assert response.status_code == 404
    assert b"This invitation is no longer valid" in response.content


def test_it_refuses_an_assistant(ann: Client, world: World, send: Callable[..., Any]) -> None:
    response = send(ann, NEWBIE)

    assert response.status_code == 403
    assert not Invitation.objects.filter(email=NEWBIE).exists()
    assert mail.outbox == []


def test_it_refuses_to_invite_a_member_and_keeps_the_input(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    response = send(alice, "Pat@Example.com", Role.PARTNER, can_export="on")

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "This person is already a member of the account."
    ]
    content = response.content.decode()
    assert 'value="Pat@Example.com"' in content
    assert '<option value="partner" selected>' in content
    assert re.search(r'name="can_export"[^>]*checked', content)
    assert not Invitation.objects.filter(email__iexact="pat@example.com").exists()
    assert mail.outbox == []


def test_it_withdraws_an_invitation(alice: Client, world: World, send: Callable[..., Any]) -> None:
    send(alice, NEWBIE)
    invitation = Invitation.objects.get(email=NEWBIE)

    response = alice.post(f"/team/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert Client().get(_link_in(mail.outbox[0])).status_code == 404


def test_it_does_not_withdraw_another_accounts_invitation(alice: Client, world: World) -> None:
    bravo = Invitation.objects.get(account=world.b)

    response = alice.post(f"/team/invitations/{bravo.pk}/revoke/")

    assert response.status_code == 404
    assert Invitation.objects.filter(pk=bravo.pk).exists()


def test_it_refuses_withdrawal_by_an_assistant(ann: Client, world: World) -> None:
    invitation = Invitation.objects.get(account=world.a)

    response = ann.post(f"/team/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_it_keeps_the_token_out_of_the_activity_log(
    alice: Client, world: World, send: Callable[..., Any]
) -> None:
    send(alice, NEWBIE)
    invitation = Invitation.objects.get(email=NEWBIE)

    response = alice.get("/activity/")

    assert NEWBIE in response.content.decode()
    assert invitation.token not in response.content.decode()
