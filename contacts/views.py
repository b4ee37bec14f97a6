"""Pages for people: the call-down list, the record, editing, logging a contact, trash."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts import bulk_actions, record_panels, selectors, services
from contacts.access import contact_get, phone_get
from contacts.filters import extra_filter_names
from contacts.forms import (
    BulkForm,
    ContactEditor,
    DeceasedForm,
    LogForm,
    NoteForm,
    SmartListForm,
)
from contacts.models import Contact, SmartList
from contacts.reachability import channel_badges
from crm.access import member_required, tenant_get
from crm.forms import add_service_errors
from crm.types import TenantRequest


def _list_keys() -> tuple[str, ...]:
    """The filter keys of the list, including those other apps register."""
    return (*LIST_QUERY_KEYS, *extra_filter_names())


LIST_QUERY_KEYS = (
    "q",
    "database",
    "cat_any",
    "cat_all",
    "cat_none",
    "missing",
    "phone",
    "email_status",
    "stale_days",
    "occasion",
    "sort",
)


def _list_query(params: QueryDict) -> str:
    """The list's filter part of a query string (no page), for links and smart lists."""
    kept = QueryDict(mutable=True)
    for key in _list_keys():
        values = [v for v in params.getlist(key) if v != ""]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def _show_warnings(request: TenantRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


@member_required()
@require_GET
def contact_list(request: TenantRequest) -> HttpResponse:
    filterset = selectors.contact_list(account=request.account, params=request.GET)
    queryset = filterset.qs if filterset.is_valid() else Contact.objects.none()
    page = Paginator(selectors.with_row_data(queryset), selectors.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = _list_query(request.GET)
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "smart_lists": selectors.smart_lists(account=request.account),
        "smart_form": SmartListForm(),
        "bulk_form": BulkForm(account_id=request.account.pk),
        "bulk_extra": bulk_actions.registered(),
    }
    if request.htmx and request.htmx.target == "contact-results":
        return render(request, "contacts/_results.html", context)
    return render(request, "contacts/list.html", context)


@member_required()
@require_http_methods(["GET", "POST"])
def contact_create(request: TenantRequest) -> HttpResponse:
    editor = ContactEditor(request.POST or None, account_id=request.account.pk)
    if request.method == "POST" and editor.is_valid():
        try:
            contact, warnings = services.contact_create(
                account=request.account, actor=request.user, data=editor.data()
            )
        except ValidationError as exc:
            add_service_errors(editor.form, exc)
        else:
            _show_warnings(request, warnings)
            messages.success(request, f"Added {contact}.")
            return redirect("contact_detail", pk=contact.pk)
    return render(request, "contacts/edit.html", {"editor": editor, "creating": True})


@member_required()
@require_GET
def contact_detail(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk, include_trash=True)
    if contact.merged_into_id is not None:
        return redirect(
            "contact_detail", pk=contact.merged_into_id
        )  # an old URL of a merged record
    return render(
        request,
        "contacts/detail.html",
        {
            "contact": contact,
            "record": contact,
            "badges": channel_badges(contact),
            "panels": record_panels.panels_for(contact),
            "notes": selectors.recent_notes(contact=contact),
            "tasks": selectors.open_tasks_about(contact=contact),
            "log_form": LogForm(contact=contact),
            "note_form": NoteForm(),
        },
    )


@member_required()
@require_http_methods(["GET", "POST"])
def contact_edit(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    editor = ContactEditor(request.POST or None, account_id=request.account.pk, instance=contact)
    if request.method == "POST" and editor.is_valid():
        try:
            warnings = services.contact_update(
                contact=contact, actor=request.user, data=editor.data()
            )
        except ValidationError as exc:
            add_service_errors(editor.form, exc)
        else:
            _show_warnings(request, warnings)
            messages.success(request, f"Saved {contact}.")
            return redirect(_safe_next(request) or reverse("contact_detail", args=[contact.pk]))
    context = {"editor": editor, "contact": contact, "next": _safe_next(request)}
    return render(request, "contacts/edit.html", context)


@member_required()
@require_http_methods(["GET", "POST"])
def contact_log(request: TenantRequest, pk: int) -> HttpResponse:
    """Log a call, text, email or meeting: from the list row (htmx) or the record."""
    contact = contact_get(request, pk)
    form = LogForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        phone = phone_get(request, contact, data["phone"]) if data.get("phone") else None
        try:
            services.contact_log(
                contact=contact,
                actor=request.user,
                kind=data["kind"],
                body=data["body"],
                follow_up_on=data["follow_up_on"],
                phone=phone,
                phone_status=data["phone_status"] or None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                # The inline form's row goes away; the person's own row is swapped out of band.
                contact = contact_get(request, pk)
                return render(request, "contacts/_log_done.html", {"contact": contact})
            messages.success(request, f"Logged: {dict(form.fields['kind'].choices)[data['kind']]}.")  # type: ignore[attr-defined]
            return redirect(_safe_next(request) or reverse("contact_detail", args=[pk]))
    template = "contacts/_log_form.html" if request.htmx else "contacts/log.html"
    context = {"contact": contact, "form": form, "next": _safe_next(request)}
    return render(request, template, context)


def _safe_next(request: TenantRequest) -> str:
    """Where to go back to after a form: only a path on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@member_required()
@require_POST
def note_create(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(contact=contact, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Note added.")
    else:
        messages.error(request, "Write something in the note first.")
    return redirect("contact_detail", pk=pk)


@member_required()
@require_POST
def phone_status(request: TenantRequest, pk: int, phone_pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    phone = phone_get(request, contact, phone_pk)
    try:
        services.phone_set_status(
            phone=phone, status=request.POST.get("status", ""), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"{phone.display} is now {phone.get_status_display()}.")
    return redirect("contact_detail", pk=pk)


@member_required("can_delete")
@require_POST
def contact_delete(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    services.contacts_trash(contacts=Contact.objects.filter(pk=contact.pk), actor=request.user)
    messages.success(request, f"{contact} is in the trash for 30 days; restore it from there.")
    return redirect("contact_list")


@member_required()
@require_POST
def contact_restore(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk, include_trash=True)
    services.contacts_restore(contacts=Contact.objects.filter(pk=contact.pk), actor=request.user)
    messages.success(request, f"Restored {contact}.")
    return redirect("contact_detail", pk=pk)


@member_required()
@require_GET
def trash(request: TenantRequest) -> HttpResponse:
    page = Paginator(selectors.trash_list(account=request.account), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "contacts/trash.html", {"page": page, "days": services.TRASH_DAYS})


@member_required()
@require_http_methods(["GET", "POST"])
def contact_deceased(request: TenantRequest, pk: int) -> HttpResponse:
    contact = contact_get(request, pk)
    form = DeceasedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.contact_mark_deceased(
                contact=contact,
                actor=request.user,
                deceased_on=form.cleaned_data["deceased_on"],
                follow_up_days=form.cleaned_data["follow_up_days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Recorded. Task added: {task.title}, due {task.due_on:%b %-d}."
            )
            return redirect("contact_detail", pk=pk)
    return render(request, "contacts/deceased.html", {"contact": contact, "form": form})


@member_required()
@require_GET
def contact_lookup(request: TenantRequest) -> HttpResponse:
    """Results for the person picker (spouse, referred by)."""
    field = request.GET.get("field", "")
    text = request.GET.get("q") or request.GET.get(f"{field}__search", "")
    filterset = selectors.contact_list(
        account=request.account, params={"q": text, "database": "all", "sort": "name"}
    )
    found = filterset.qs
    exclude = request.GET.get("exclude", "")
    if exclude.isdigit():  # the person being edited is not their own spouse or referrer
        found = found.exclude(pk=int(exclude))
    people = list(found[:8]) if text.strip() else []
    return render(
        request,
        "contacts/_lookup_results.html",
        {"people": people, "field": request.GET.get("field", "")},
    )


@member_required()
@require_POST
def smartlist_save(request: TenantRequest) -> HttpResponse:
    form = SmartListForm(request.POST)
    query = _list_query(QueryDict(request.POST.get("query", "")))
    if form.is_valid():
        try:
            services.smartlist_save(
                account=request.account,
                actor=request.user,
                name=form.cleaned_data["name"],
                query=query,
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"Saved the smart list “{form.cleaned_data['name']}”.")
    else:
        messages.error(request, "Give the smart list a name.")
    return redirect(f"{reverse('contact_list')}?{query}")


@member_required()
@require_GET
def smartlist_count(request: TenantRequest, pk: int) -> HttpResponse:
    """How many people a smart list holds now; the sidebar asks for each after loading."""
    smart = tenant_get(request, SmartList, pk)
    count = selectors.smart_list_count(account=request.account, smart=smart)
    return HttpResponse(f'<span class="count">{count:,}</span>')


@member_required("can_delete")
@require_POST
def smartlist_delete(request: TenantRequest, pk: int) -> HttpResponse:
    smart = tenant_get(request, SmartList, pk)
    smart.delete()
    messages.success(request, f"Removed the smart list “{smart.name}”.")
    return redirect("contact_list")


def _selection(request: TenantRequest, form: BulkForm) -> QuerySet[Contact]:
    if form.cleaned_data["all_matching"]:
        filterset = selectors.contact_list(
            account=request.account, params=QueryDict(form.cleaned_data["query"] or "")
        )
        return filterset.qs.order_by() if filterset.is_valid() else Contact.objects.none()
    return (
        Contact.objects.for_account(request.account).alive().filter(pk__in=form.cleaned_data["ids"])
    )


@member_required()
@require_POST
def contact_bulk(request: TenantRequest) -> HttpResponse:
    form = BulkForm(request.POST, account_id=request.account.pk)
    back = f"{reverse('contact_list')}?{_list_query(QueryDict(request.POST.get('query', '')))}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    action = form.cleaned_data["action"]
    needed = {"delete": "can_delete", "export_csv": "can_export", "export_vcard": "can_export"}.get(
        action
    )
    if needed and not getattr(request.membership, needed):
        raise PermissionDenied("Your role in this account does not allow that.")
    registered = bulk_actions.get(action)
    if registered is not None:
        return registered.handler(request, bulk_actions.Selection(
            ids=form.cleaned_data["ids"], query=form.cleaned_data["query"] or "",
            all_matching=bool(form.cleaned_data["all_matching"]),
        ))  # fmt: skip
    people = _selection(request, form)
    categories = list(form.cleaned_data["categories"] or [])
    if action == "add_categories":
        services.contacts_add_categories(contacts=people, categories=categories)
        messages.success(
            request, f"Added {', '.join(c.name for c in categories)} to {people.count():,} people."
        )
    elif action == "remove_categories":
        services.contacts_remove_categories(contacts=people, categories=categories)
        messages.success(
            request, f"Removed {', '.join(c.name for c in categories)} from the selection."
        )
    elif action == "mark_cold":
        services.contacts_mark_cold(contacts=people, account_id=request.account.pk)
        messages.success(request, f"Marked {people.count():,} people Cold.")
    elif action == "delete":
        moved = services.contacts_trash(contacts=people, actor=request.user)
        messages.success(request, f"Moved {moved:,} people to the trash (30 days to restore).")
    elif action in ("export_csv", "export_vcard"):
        from contacts.exports import start_export

        job = start_export(
            account=request.account,
            actor=request.user,
            contact_ids=list(people.values_list("pk", flat=True)),
            kind="csv" if action == "export_csv" else "vcard",
            can_see_income=request.membership.can_see_income,
        )
        return redirect("job_detail", pk=job.pk)
    return redirect(back)
