from django.test import Client

from tests.world import World


def test_it_shows_the_dashboard_of_the_owners_account(alice: Client, world: World) -> None:
    response = alice.get("/")
    assert response.status_code == 200
    assert b"Alpha Realty" in response.content
    assert b"bravo" not in response.content.lower()
