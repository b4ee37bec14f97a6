"""Valet import pages: upload (generic or through a profile), map and preview, progress
with cancel, the problem report, undo; and the profiles that make up the Import menu."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.access import member_required, tenant_get
from crm.forms import add_service_errors
from crm.types import TenantRequest
from prospects import valet_import
from prospects.forms_import import (
    ImportMappingForm,
    ImportProfileForm,
    ImportUploadForm,
    initial_for,
)
from prospects.import_files import FileProblem
from prospects.models import ImportProfile, ImportRun


def _upload(request: TenantRequest, profile: ImportProfile | None) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = valet_import.upload_store(
                account=request.account,
                actor=request.user,
                upload=form.cleaned_data["file"],
                profile=profile,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_map", pk=run.pk)
    return render(
        request,
        "prospects/imports/home.html",
        {
            "form": form,
            "profile": profile,
            "profiles": ImportProfile.objects.for_account(request.account),
            "runs": valet_import.recent_runs(request.account),
        },
    )


@member_required()
@require_http_methods(["GET", "POST"])
def import_home(request: TenantRequest) -> HttpResponse:
    return _upload(request, None)


@member_required()
@require_http_methods(["GET", "POST"])
def import_with_profile(request: TenantRequest, pk: int) -> HttpResponse:
    """A profile's menu item: straight to the upload, its mapping already chosen."""
    return _upload(request, tenant_get(request, ImportProfile, pk))


@member_required()
@require_http_methods(["GET", "POST"])
def import_map(request: TenantRequest, pk: int) -> HttpResponse:
    run = tenant_get(request, ImportRun, pk)
    if run.job_id:
        return redirect("import_detail", pk=run.pk)
    headers: list[str] = run.options.get("header") or []
    try:
        samples = valet_import.column_samples(run)
    except (FileProblem, OSError) as exc:
        messages.error(request, f"The uploaded file can no longer be read: {exc}")
        return redirect("import_home")
    form = ImportMappingForm(
        request.POST or None,
        account_id=request.account.pk,
        headers=headers,
        samples=samples,
        initial=initial_for(run.options, headers),
    )
    mapping = run.options.get("mapping") or {}
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        if request.POST.get("action") == "import":
            options = valet_import.Options(
                mapping=mapping,
                database=form.cleaned_data["database"],
                mode=form.cleaned_data["mode"],
                lead_source_id=(form.cleaned_data["lead_source"] or None)
                and form.cleaned_data["lead_source"].pk,
                category_ids=tuple(c.pk for c in form.cleaned_data["categories"]),
            )
            try:
                valet_import.import_start(
                    run=run, actor=request.user, options=options,
                    save_as=form.cleaned_data["save_as"],
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("import_detail", pk=run.pk)
    people = valet_import.preview(run, mapping)
    return render(
        request,
        "prospects/imports/map.html",
        {"run": run, "form": form, "people": people, "info": valet_import.file_info(run)},
    )


@member_required()
@require_GET
def import_detail(request: TenantRequest, pk: int) -> HttpResponse:
    run = tenant_get(request, ImportRun, pk)
    if not run.job_id:
        return redirect("import_map", pk=run.pk)
    template = "prospects/imports/_status.html" if request.htmx else "prospects/imports/detail.html"
    warned = run.problems.filter(outcome="imported").count()
    context = {"run": run, "job": run.job, "undo": run.undo_job, "warned": warned}
    return render(request, template, context)


@member_required()
@require_POST
def import_cancel(request: TenantRequest, pk: int) -> HttpResponse:
    run = tenant_get(request, ImportRun, pk)
    valet_import.import_cancel(run)
    messages.info(request, "Stopping after the rows being written now. Undo removes what came in.")
    return redirect("import_detail", pk=run.pk)


@member_required("can_delete")
@require_POST
def import_undo(request: TenantRequest, pk: int) -> HttpResponse:
    run = tenant_get(request, ImportRun, pk)
    try:
        valet_import.undo_start(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("import_detail", pk=run.pk)


@member_required()
@require_GET
def import_problems(request: TenantRequest, pk: int) -> HttpResponse:
    """The problem report as it stands (also while the import runs)."""
    run = tenant_get(request, ImportRun, pk)
    response = HttpResponse(valet_import.error_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"import-problems-{run.pk}.csv"
    )
    return response


@member_required()
@require_POST
def import_profile_edit(request: TenantRequest, pk: int) -> HttpResponse:
    profile = tenant_get(request, ImportProfile, pk)
    form = ImportProfileForm(request.POST, instance=profile)
    name = request.POST.get("name", "").strip()
    clash = ImportProfile.objects.for_account(request.account).filter(name__iexact=name)
    if clash.exclude(pk=profile.pk).exists():
        messages.error(request, f"Another profile is already called “{name}”.")
    elif form.is_valid():
        form.save()
        messages.success(request, f"Saved “{profile.name}”.")
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("import_home")


@member_required("can_delete")
@require_POST
def import_profile_delete(request: TenantRequest, pk: int) -> HttpResponse:
    profile = tenant_get(request, ImportProfile, pk)
    profile.delete()
    messages.success(request, f"Deleted the profile “{profile.name}”. Past imports stay.")
    return redirect("import_home")
