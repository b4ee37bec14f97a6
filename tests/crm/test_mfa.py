import time
from collections.abc import Iterator

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.test import Client

from crm.models import User
from tests.world import PASSWORD, World


@pytest.fixture(autouse=True)
def _forget_used_codes() -> Iterator[None]:
    """allauth remembers used TOTP codes in the cache; ids repeat between tests."""
    cache.clear()
    yield
    cache.clear()


def _code(secret: str) -> str:
    """What the phone shows now (RFC 6238, with allauth's own HOTP helper)."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:  # let the server check it in the same window
        time.sleep(2)
    counter = int(time.time()) // period
    return format_hotp_value(hotp_value(secret, counter))


def _wrong_code(secret: str) -> str:
    valid = {format_hotp_value(hotp_value(secret, c)) for c in yield_hotp_counters_from_time()}
    return next(code for code in ("123456", "654321", "111111") if code not in valid)


def _password_login(client: Client, email: str) -> object:
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def _activate_totp(client: Client, user: User) -> str:
    """Turn TOTP on for ``user`` the way a person would; returns the secret."""
    assert _password_login(client, user.email).status_code == 302
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked.status_code == 302
    assert asked.url.startswith("/accounts/reauthenticate/")
    confirmed = client.post(asked.url, {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed.url == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()
    response = client.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response.status_code == 302, response.content.decode()
    assert response.url == "/accounts/2fa/recovery-codes/"
    return secret


def test_it_activates_totp_with_recovery_codes(client: Client, world: World) -> None:
    _activate_totp(client, world.alice)

    types = set(Authenticator.objects.filter(user=world.alice).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    page = client.get("/accounts/2fa/recovery-codes/")
    assert page.status_code == 200
    codes = Authenticator.objects.get(
        user=world.alice, type=Authenticator.Type.RECOVERY_CODES
    ).wrap()
    assert codes.get_unused_codes()[0] in page.content.decode()


def test_it_asks_for_the_password_again_before_activation(alice: Client, world: World) -> None:
    response = alice.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    wrong = alice.post(response.url, {"password": "not-the-password"})
    assert wrong.status_code == 200
    assert alice.get("/accounts/2fa/totp/activate/").status_code == 302


def test_it_refuses_activation_with_a_wrong_code(client: Client, world: World) -> None:
    _password_login(client, world.alice.email)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post("/accounts/2fa/totp/activate/", {"code": _wrong_code(secret)})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Authenticator.objects.filter(user=world.alice).exists()


def test_it_asks_for_the_code_after_the_password(client: Client, world: World) -> None:
    secret = _activate_totp(client, world.alice)
    client.post("/accounts/logout/")

    response = _password_login(client, world.alice.email)

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    done = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert done.status_code == 302
    assert done.url == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"<h1>Alpha Realty</h1>" in dashboard.content


def test_it_refuses_a_wrong_code_at_login(client: Client, world: World) -> None:
    secret = _activate_totp(client, world.alice)
    client.post("/accounts/logout/")
    _password_login(client, world.alice.email)

    response = client.post("/accounts/2fa/authenticate/", {"code": _wrong_code(secret)})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session
    after = client.get("/")
    assert after.status_code == 302
    assert after.url.startswith("/accounts/login/")


def test_it_accepts_a_recovery_code_at_login(client: Client, world: World) -> None:
    _activate_totp(client, world.alice)
    codes = Authenticator.objects.get(user=world.alice, type=Authenticator.Type.RECOVERY_CODES)
    client.post("/accounts/logout/")
    _password_login(client, world.alice.email)

    response = client.post(
        "/accounts/2fa/authenticate/", {"code": codes.wrap().get_unused_codes()[0]}
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_it_says_two_factor_login_is_on_in_the_profile(client: Client, world: World) -> None:
    _activate_totp(client, world.alice)

    response = client.get("/profile/")

    assert response.status_code == 200
    assert 'Two-factor login is <strong class="ok">on</strong>' in response.content.decode()


def test_it_says_two_factor_login_is_off_by_default(alice: Client) -> None:
    response = alice.get("/profile/")

    assert 'Two-factor login is <strong class="warn">off</strong>' in response.content.decode()


def test_it_keeps_other_users_logging_in_with_a_password_only(client: Client, world: World) -> None:
    _activate_totp(client, world.alice)
    client.post("/accounts/logout/")

    response = _password_login(client, world.pat.email)

    assert response.status_code == 302
    assert response.url == "/"
