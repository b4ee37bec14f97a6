from django.test import Client

from crm.models import FLAG_NAMES, Account, Category, Membership, Role, User
from tests.world import PASSWORD, World

SEEDED = [
    "Top100",
    "Cold",
    "NoLead",
    "Christmas",
    "Newsletter",
    "Vendor",
    "Past Client",
    "Sphere",
    "Family",
    "Friend",
    "Agent",
]


def _signup(client: Client) -> object:
    return client.post(
        "/accounts/signup/",
        {
            "email": "nina@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": "Nina New",
            "account_name": "Nina Homes",
        },
        follow=True,
    )


def test_it_signs_up_a_new_agent_with_an_account(client: Client, db: None) -> None:
    response = _signup(client)

    assert response.redirect_chain[-1][0] == "/"
    assert response.status_code == 200
    assert b"Nina Homes" in response.content
    user = User.objects.get(email="nina@example.com")
    assert user.full_name == "Nina New"
    assert user.check_password(PASSWORD)
    account = Account.objects.get(name="Nina Homes")
    membership = Membership.objects.get(account=account, user=user)
    assert membership.role == Role.OWNER
    assert all(getattr(membership, flag) for flag in FLAG_NAMES)


def test_it_seeds_the_eleven_categories_on_signup(client: Client, db: None) -> None:
    _signup(client)

    account = Account.objects.get(name="Nina Homes")
    names = set(Category.objects.for_account(account).values_list("name", flat=True))
    assert names == set(SEEDED)
    assert Category.objects.for_account(account).filter(key="").count() == 0


def test_it_logs_in_with_email_and_password(client: Client, world: World) -> None:
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"Alpha Realty" in dashboard.content


def test_it_refuses_a_wrong_password_and_keeps_the_email(client: Client, world: World) -> None:
    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "not-the-password"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert b"not correct" in response.content
    assert b'value="alice@example.com"' in response.content
    assert "_auth_user_id" not in client.session


def test_it_logs_out_by_post(alice: Client) -> None:
    assert alice.get("/").status_code == 200

    response = alice.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in alice.session
    after = alice.get("/")
    assert after.status_code == 302
    assert after.url.startswith("/accounts/login/")


def test_it_sends_a_logged_out_visitor_to_login(client: Client, world: World) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


def test_it_keeps_the_accounts_of_others_out_of_a_new_signup(client: Client, world: World) -> None:
    response = _signup(client)

    assert b"Alpha Realty" not in response.content
    user = User.objects.get(email="nina@example.com")
    assert Membership.objects.filter(user=user).count() == 1
