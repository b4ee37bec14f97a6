"""vCard pages: one person's card, and importing a .vcf file as a worker job."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from contacts import imports, vcard
from contacts.access import contact_get
from contacts.forms_io import VCardImportForm
from crm.access import member_required
from crm.forms import add_service_errors
from crm.types import TenantRequest


@member_required("can_export")
@require_GET
def contact_vcard(request: TenantRequest, pk: int) -> HttpResponse:
    """One person as a .vcf file, to open on a phone."""
    contact = contact_get(request, pk)
    response = HttpResponse(vcard.serialize([contact]), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{contact}.vcf"
    )
    return response


@member_required()
@require_http_methods(["GET", "POST"])
def vcard_import(request: TenantRequest) -> HttpResponse:
    form = VCardImportForm(
        request.POST or None, request.FILES or None, account_id=request.account.pk
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.vcard_import_start(
                account=request.account,
                actor=request.user,
                upload=form.cleaned_data["file"],
                database=form.cleaned_data["database"],
                category_ids=[c.pk for c in form.cleaned_data["categories"]],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("job_detail", pk=job.pk)
    return render(request, "contacts/io/vcard_import.html", {"form": form})
