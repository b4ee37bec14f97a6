from django.test import Client

from crm.models import Membership, Role
from tests.world import World


def test_it_refuses_to_demote_the_last_owner(alice: Client, world: World) -> None:
    own = Membership.objects.get(account=world.a, user=world.alice)

    response = alice.post(f"/team/{own.pk}/", {"role": Role.ASSISTANT})

    assert response.status_code == 200
    assert b"An account needs at least one owner." in response.content
    own.refresh_from_db()
    assert own.role == Role.OWNER
    assert own.can_manage_users
    assert alice.get("/team/").status_code == 200


def test_it_demotes_an_owner_when_another_remains(alice: Client, world: World) -> None:
    pat = Membership.objects.get(account=world.a, user=world.pat)
    alice.post(f"/team/{pat.pk}/", {"role": Role.OWNER})
    own = Membership.objects.get(account=world.a, user=world.alice)

    response = alice.post(f"/team/{own.pk}/", {"role": Role.PARTNER, "can_delete": "on"})

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.role == Role.PARTNER
    assert own.can_delete and not own.can_manage_users
    pat.refresh_from_db()
    assert pat.role == Role.OWNER and pat.can_manage_users
