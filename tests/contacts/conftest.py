"""People in the shared world's accounts, for the contacts tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contacts.models import Contact
from tests.contacts.people import make_person_in
from tests.world import World

MakePerson = Callable[..., Contact]


@pytest.fixture
def make_person(world: World) -> MakePerson:
    """``make_person(first="Jack", last="Smith", phones=["970 555 0100"])`` in Alpha Realty
    (``account=world.b`` for the outsider's)."""

    def make(**kwargs: Any) -> Contact:
        account = kwargs.pop("account", world.a)
        return make_person_in(account, **kwargs)

    return make
