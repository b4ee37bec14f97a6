"""The import pages: upload, mapping with preview, profiles as menu items, progress,
the problem report, undo and who may do what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from prospects.models import ImportProfile, ImportRun
from tests.world import World

LIST = (
    "Full Name,E-mail,Cell,Site Address,Site City\n"
    "Ann Lee,ann@example.com,970-555-0101,12 Oak St,Fort Collins\n"
    "Bob Roe,bob@,970-555-0102,14 Oak St,Fort Collins\n"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _upload(client: Client, data: str = LIST, url: str = "", name: str = "fsbo.csv") -> Any:
    file = SimpleUploadedFile(name, data.encode(), content_type="text/csv")
    return client.post(url or reverse("import_home"), {"file": file})


def _map_post(run: ImportRun, action: str, **extra: Any) -> dict[str, Any]:
    headers = run.options["header"]
    data: dict[str, Any] = {
        f"col_{i}": run.options["mapping"].get(h, "") for i, h in enumerate(headers)
    }
    data.update({"database": "prospects", "mode": "allow", "action": action, **extra})
    return data


def test_upload_suggests_a_mapping_and_previews_the_first_rows(alice: Client, world: World) -> None:
    response = _upload(alice)
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    assert response.url == reverse("import_map", args=[run.pk])
    page = alice.get(response.url).content.decode()
    assert '<option value="full_name" selected>' in page
    assert '<option value="property_street" selected>' in page
    assert "Ann" in page and "Lee" in page and "12 Oak St" in page
    assert "bob@" in page and "not an email address" in page  # the warning shows before import


def test_preview_follows_a_changed_mapping_and_keeps_the_choices(
    alice: Client, world: World
) -> None:
    _upload(alice)
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    data = _map_post(run, "preview", col_3="street", col_4="city")
    page = alice.post(reverse("import_map", args=[run.pk]), data).content.decode()
    assert '<option value="street" selected>' in page
    assert "Mailing address" in page and "12 Oak St" in page
    assert not ImportRun.objects.get(pk=run.pk).job_id  # nothing imported by a preview


def test_one_field_for_two_columns_is_refused_with_the_column_named(
    alice: Client, world: World
) -> None:
    _upload(alice)
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    data = _map_post(run, "import", col_3="street", col_4="street")
    page = alice.post(reverse("import_map", args=[run.pk]), data).content.decode()
    assert "is already mapped to Mailing street" in page
    assert not ImportRun.objects.get(pk=run.pk).job_id


def test_import_runs_saves_a_profile_and_the_profile_becomes_a_menu_item(
    alice: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(alice)
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(
            reverse("import_map", args=[run.pk]), _map_post(run, "import", save_as="FSBO list")
        )
    assert response.url == reverse("import_detail", args=[run.pk])
    run.refresh_from_db()
    assert (run.created_count, run.error_count) == (2, 0)
    detail = alice.get(response.url).content.decode()
    assert "2</strong> created" in detail and "Download the problem report" in detail
    profile = ImportProfile.objects.get(account=world.a, name="FSBO list")
    assert profile.mapping["Full Name"] == "full_name"
    menu = alice.get(reverse("dashboard")).content.decode()
    item = reverse("import_with_profile", args=[profile.pk])
    assert f'<a href="{item}">Import FSBO list</a>' in menu
    # The menu item goes straight to the upload, and the upload takes the profile's mapping.
    assert "Import FSBO list" in alice.get(item).content.decode()
    _upload(alice, "Full Name,E-mail\nCy Doe,cy@example.com\n", url=item, name="again.csv")
    again = ImportRun.objects.get(account=world.a, filename="again.csv")
    assert again.profile == profile and again.options["mapping"]["Full Name"] == "full_name"


def test_a_bad_file_shows_why_and_keeps_the_page(alice: Client, world: World) -> None:
    response = _upload(alice, "Name,Email\n")
    assert response.status_code == 200
    assert "no people under it" in response.content.decode()
    assert not ImportRun.objects.filter(account=world.a, filename="fsbo.csv").exists()


def test_problem_report_download(alice: Client, world: World) -> None:
    _upload(alice, "Name,Email\nAnn Lee,ann@\n,only@example.com\n")
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    from prospects import valet_import

    valet_import.import_run(run)
    response = alice.get(reverse("import_problems", args=[run.pk]))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment")
    assert "3,skipped,No name or company" in text and "2,imported" in text


def test_assistant_imports_but_may_not_undo_or_delete_profiles(
    ann: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(ann)
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    with django_capture_on_commit_callbacks(execute=True):
        ann.post(reverse("import_map", args=[run.pk]), _map_post(run, "import"))
    assert Contact.objects.filter(account=world.a, last_name="Roe").exists()
    assert ann.post(reverse("import_undo", args=[run.pk])).status_code == 403
    profile = ImportProfile.objects.filter(account=world.a).first()
    assert profile is not None
    assert ann.post(reverse("import_profile_delete", args=[profile.pk])).status_code == 403
    assert (
        "Undo this import" not in ann.get(reverse("import_detail", args=[run.pk])).content.decode()
    )


def test_owner_undoes_an_import_from_its_page(
    alice: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(alice)
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(reverse("import_map", args=[run.pk]), _map_post(run, "import"))
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(reverse("import_undo", args=[run.pk]))
    run.refresh_from_db()
    assert run.undone_at is not None
    assert not Contact.objects.filter(account=world.a, last_name="Roe", deleted_at=None).exists()
    assert (
        "Undone: 2 moved to the trash"
        in alice.get(reverse("import_detail", args=[run.pk])).content.decode()
    )


def test_profiles_can_be_renamed_hidden_and_deleted(alice: Client, world: World) -> None:
    profile = ImportProfile.objects.get(account=world.a, key="wise_agent")
    alice.post(reverse("import_profile_edit", args=[profile.pk]), {"name": "Old CRM"})
    profile.refresh_from_db()
    assert profile.name == "Old CRM" and not profile.in_menu
    menu = alice.get(reverse("dashboard")).content.decode()
    assert "Import Old CRM" not in menu and "Import Top Producer export" in menu
    taken = alice.post(
        reverse("import_profile_edit", args=[profile.pk]), {"name": "vCard file"}, follow=True
    )
    assert "already called" in taken.content.decode()
    alice.post(reverse("import_profile_delete", args=[profile.pk]))
    assert not ImportProfile.objects.filter(pk=profile.pk).exists()


def test_every_new_account_has_the_seeded_profiles(world: World) -> None:
    keys = set(ImportProfile.objects.filter(account=world.c).values_list("key", flat=True))
    assert {"generic_csv", "vcard", "top_producer", "wise_agent", "follow_up_boss"} <= keys


def test_a_profile_that_names_none_of_the_columns_falls_back_to_suggestions(
    alice: Client, world: World
) -> None:
    profile = ImportProfile.objects.create(
        account=world.a, name="Old layout", mapping={"Owner": "full_name", "Mail": "email"}
    )
    item = reverse("import_with_profile", args=[profile.pk])
    _upload(alice, LIST, url=item, name="fsbo.csv")
    run = ImportRun.objects.get(account=world.a, filename="fsbo.csv")
    assert run.options["mapping"]["Full Name"] == "full_name"
