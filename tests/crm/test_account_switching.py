import re

from django.test import Client

from crm.middleware import SESSION_KEY
from tests.world import World


def _switcher_options(html: str) -> list[str]:
    switcher = re.search(r'<select id="account-switch".*?</select>', html, re.S)
    assert switcher, "no account switcher in the header"
    return re.findall(r"<option [^>]*>([^<]*)</option>", switcher.group(0))


def _main(response: object) -> str:
    """The page below the header, whose switcher names every account of the user."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return html[html.index('<main id="main"') :]


def test_it_lists_both_of_anns_accounts_in_the_header(ann: Client, world: World) -> None:
    response = ann.get("/")

    assert _switcher_options(response.content.decode()) == [
        "Alpha Realty",
        "Charlie Properties",
    ]


def test_it_lists_only_alices_account_for_alice(alice: Client, world: World) -> None:
    response = alice.get("/")

    assert _switcher_options(response.content.decode()) == ["Alpha Realty"]


def test_it_switches_to_charlie(ann: Client, world: World) -> None:
    assert b"<h1>Alpha Realty</h1>" in ann.get("/").content

    response = ann.post("/switch/", {"account": world.c.pk}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    main = _main(response)
    assert "<h1>Charlie Properties</h1>" in main
    assert "alpha" not in main.lower()
    assert ann.session[SESSION_KEY] == world.c.pk


def test_it_shows_only_charlies_categories_after_the_switch(ann: Client, world: World) -> None:
    ann.post("/switch/", {"account": world.c.pk})

    content = _main(ann.get("/categories/"))
    assert "charlie farm" in content
    assert "alpha farm" not in content
    assert "bravo" not in content.lower()


def test_it_shows_only_charlies_activity_after_the_switch(ann: Client, world: World) -> None:
    ann.post("/switch/", {"account": world.c.pk})

    content = _main(ann.get("/activity/"))
    assert "charlie farm" in content
    assert "alpha" not in content.lower()


def test_it_switches_back_to_alpha(ann: Client, world: World) -> None:
    ann.post("/switch/", {"account": world.c.pk})

    ann.post("/switch/", {"account": world.a.pk})

    content = ann.get("/categories/").content.decode()
    assert "alpha farm" in content
    assert "charlie farm" not in content


def test_it_refuses_an_account_she_is_not_a_member_of(ann: Client, world: World) -> None:
    ann.get("/")
    before = ann.session[SESSION_KEY]

    response = ann.post("/switch/", {"account": world.b.pk})

    assert response.status_code == 404
    assert b"bravo" not in response.content.lower()
    assert ann.session[SESSION_KEY] == before == world.a.pk
    content = ann.get("/categories/").content.decode()
    assert "alpha farm" in content
    assert "bravo" not in content.lower()


def test_it_ignores_a_forged_session_account(ann: Client, world: World) -> None:
    session = ann.session
    session[SESSION_KEY] = world.b.pk
    session.save()

    response = ann.get("/categories/")

    content = response.content.decode()
    assert "alpha farm" in content
    assert "bravo" not in content.lower()


def test_it_refuses_a_switch_by_get(ann: Client, world: World) -> None:
    response = ann.get(f"/switch/?account={world.c.pk}")

    assert response.status_code == 405
