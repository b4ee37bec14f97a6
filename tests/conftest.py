from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from crm.celery import app as celery_app
from crm.tenancy import rls_bypass
from tests.callcapture.fake_twilio import FakeTwilio, start_fake_twilio
from tests.world import PASSWORD, World, build_world

# Tasks run in the test's own thread; tests/crm/test_worker.py starts a real worker.
celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _fast_and_quiet(
    settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")  # uploads stay out of var/
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ACCOUNT_RATE_LIMITS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


@pytest.fixture(autouse=True)
def _test_body_sees_all_accounts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Test set-up and assertions read every account; each request through the
    middleware still runs with its own tenant context and the database wall up."""
    uses_db = _DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker(
        "django_db"
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    with rls_bypass():
        yield


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def login(client: Client, email: str) -> Client:
    assert client.login(email=email, password=PASSWORD), f"cannot log in as {email}"
    return client


@pytest.fixture
def alice(client: Client, world: World) -> Client:
    return login(client, world.alice.email)


@pytest.fixture
def ann(client: Client, world: World) -> Client:
    return login(client, world.ann.email)


@pytest.fixture
def fake_twilio(settings: Any) -> Iterator[FakeTwilio]:
    """Twilio's REST API as a local server the real twilio library talks to."""
    fake = start_fake_twilio()
    settings.TWILIO_API_BASE = fake.url
    settings.SITE_URL = "https://crm.example.com"
    yield fake
    fake.close()
