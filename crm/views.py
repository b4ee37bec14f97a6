"""Pages of the core: dashboard, team, categories, activity log, profile."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from crm import selectors, services
from crm.access import category_get, member_required, membership_get, tenant_get
from crm.audit_display import describe
from crm.forms import (
    AccountCreateForm,
    AccountSettingsForm,
    CategoryForm,
    CategoryMergeForm,
    InvitationAcceptForm,
    InvitationForm,
    MembershipForm,
    ProfileForm,
    add_service_errors,
)
from crm.middleware import SESSION_KEY
from crm.models import Invitation, Job, JobStatus, Task, User
from crm.types import TenantRequest


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@member_required()
def dashboard(request: TenantRequest) -> HttpResponse:
    summary = selectors.dashboard_summary(account=request.account, membership=request.membership)
    return render(request, "crm/dashboard.html", summary)


@login_required
@require_http_methods(["GET", "POST"])
def no_account(request: TenantRequest) -> HttpResponse:
    """A logged-in user with no account yet (their invitation was revoked, say) starts one."""
    if getattr(request, "membership", None) is not None:
        return redirect("dashboard")
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.account_create(name=form.cleaned_data["name"], owner=request.user)
        request.session[SESSION_KEY] = account.pk
        messages.success(request, f"{account.name} is ready.")
        return redirect("dashboard")
    return render(request, "crm/no_account.html", {"form": form})


@login_required
@require_POST
def account_switch(request: TenantRequest) -> HttpResponse:
    wanted = request.POST.get("account", "")
    for membership in request.memberships:
        if str(membership.account_id) == wanted:
            request.session[SESSION_KEY] = membership.account_id
            messages.info(request, f"You are working in {membership.account.name}.")
            return redirect("dashboard")
    raise Http404("No such account among yours.")


@member_required("can_manage_users")
@require_http_methods(["GET", "POST"])
def account_settings(request: TenantRequest) -> HttpResponse:
    account = request.account
    form = AccountSettingsForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        services.account_update(
            account=account,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
            default_region=form.cleaned_data["default_region"],
        )
        messages.success(request, "Account settings saved.")
        return redirect("account_settings")
    return render(request, "crm/account_settings.html", {"form": form, "record": account})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: TenantRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    from allauth.mfa.models import Authenticator

    mfa_on = Authenticator.objects.filter(user_id=request.user.pk).exists()
    return render(request, "crm/profile.html", {"form": form, "mfa_on": mfa_on})


@member_required()
@require_http_methods(["GET", "POST"])
def team(request: TenantRequest) -> HttpResponse:
    account = request.account
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not request.membership.can_manage_users:
            raise PermissionDenied("Your role in this account does not allow that.")
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    account=account,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                    flags=form.flags(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("team")
    members, invitations = selectors.team_list(account=account)
    return render(
        request, "crm/team.html", {"form": form, "members": members, "invitations": invitations}
    )


@member_required("can_manage_users")
@require_http_methods(["GET", "POST"])
def membership_edit(request: TenantRequest, pk: int) -> HttpResponse:
    membership = membership_get(request, pk)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership, role=form.cleaned_data["role"], flags=form.flags()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {membership.user}'s permissions.")
            return redirect("team")
    return render(
        request,
        "crm/membership_edit.html",
        {
            "form": form,
            "member": membership,
            "record": membership,
            "can_remove": not services.is_last_owner(membership),
        },
    )


@member_required("can_manage_users")
@require_POST
def membership_remove(request: TenantRequest, pk: int) -> HttpResponse:
    membership = membership_get(request, pk)
    try:
        services.membership_remove(membership=membership)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"{membership.user} no longer has access to this account.")
    return redirect("team")


@member_required("can_manage_users")
@require_POST
def invitation_revoke(request: TenantRequest, pk: int) -> HttpResponse:
    invitation = tenant_get(request, Invitation, pk, accepted_at__isnull=True)
    invitation.delete()
    messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    return redirect("team")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: TenantRequest, token: str) -> HttpResponse:
    """Public: the token is the key. New people set a password here; members click accept."""
    invitation = services.invitation_find(token)
    if invitation is None or not invitation.is_open:
        return render(request, "crm/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    existing = User.objects.filter(email__iexact=invitation.email).exists()
    form = InvitationAcceptForm(request.POST or None) if user is None and not existing else None
    if request.method == "POST":
        if user is None and form is not None and form.is_valid():
            try:
                validate_password(form.cleaned_data["password1"])
            except ValidationError as exc:
                form.add_error("password1", exc)
            else:
                user = services.user_create(
                    email=invitation.email,
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["full_name"],
                    email_verified=True,  # they followed the link sent to that address
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if user is not None:
            try:
                services.invitation_accept(invitation=invitation, user=user)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                request.session[SESSION_KEY] = invitation.account_id
                messages.success(request, f"Welcome to {invitation.account.name}.")
                return redirect("dashboard")
    return render(
        request,
        "crm/invitation_accept.html",
        {"invitation": invitation, "form": form, "needs_login": user is None and existing},
    )


@member_required()
@require_http_methods(["GET", "POST"])
def categories(request: TenantRequest) -> HttpResponse:
    account = request.account
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(
                account=account,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added “{category.name}”.")
            return redirect("categories")
    return render(
        request,
        "crm/categories.html",
        {
            "form": form,
            "categories": selectors.category_list(account=account),
            "merge_form": CategoryMergeForm(account=account),
        },
    )


@member_required()
@require_http_methods(["GET", "POST"])
def category_edit(request: TenantRequest, pk: int) -> HttpResponse:
    category = category_get(request, pk)
    # The form edits a copy, so a rejected name never reaches the page heading.
    form = CategoryForm(request.POST or None, instance=copy.copy(category))
    if request.method == "POST" and form.is_valid():
        try:
            services.category_rename(
                category=category,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved “{category.name}”.")
            return redirect("categories")
    return render(request, "crm/category_edit.html", {"form": form, "record": category})


@member_required("can_delete")
@require_POST
def category_delete(request: TenantRequest, pk: int) -> HttpResponse:
    category = category_get(request, pk)
    try:
        services.category_delete(category=category)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Deleted “{category.name}”.")
    if request.htmx:
        return HttpResponseClientRedirect("/categories/")
    return redirect("categories")


@member_required("can_delete")
@require_POST
def category_merge(request: TenantRequest) -> HttpResponse:
    form = CategoryMergeForm(request.POST, account=request.account)
    if form.is_valid():
        try:
            target = services.category_merge(
                source=form.cleaned_data["source"], target=form.cleaned_data["target"]
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"Merged into “{target.name}”.")
    else:
        messages.error(request, "Choose the category to merge and the one to keep.")
    return redirect("categories")


@member_required()
@require_GET
def audit_log(request: TenantRequest) -> HttpResponse:
    filterset = selectors.audit_list(account=request.account, params=request.GET)
    page = Paginator(filterset.qs, settings.AUDIT_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "crm/_audit_rows.html" if request.htmx else "crm/audit_log.html"
    context = {
        "filter": filterset,
        "page": page,
        "entries": describe(list(page.object_list)),
        "query": query.urlencode(),
    }
    return render(request, template, context)


@member_required()
@require_GET
def job_detail(request: TenantRequest, pk: int) -> HttpResponse:
    """The progress bar; htmx polls the partial until the job is finished."""
    job = tenant_get(request, Job, pk)
    template = "crm/_job_progress.html" if request.htmx else "crm/job_detail.html"
    return render(request, template, {"job": job})


@member_required()
@require_GET
def job_download(request: TenantRequest, pk: int) -> FileResponse:
    job = tenant_get(request, Job, pk, status=JobStatus.DONE)
    if not job.result_file:
        raise Http404("This job made no file.")
    export = job.kind.endswith("export")
    if export and not request.membership.can_export:
        raise PermissionDenied("Your role in this account does not allow exports.")
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name)


@member_required()
@require_GET
def tasks(request: TenantRequest) -> HttpResponse:
    show = "done" if request.GET.get("show") == "done" else "open"
    page = Paginator(selectors.task_list(account=request.account, show=show), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "crm/tasks.html",
        {"page": page, "show": show, "query": f"show={show}", "today": timezone.localdate()},
    )


@member_required()
@require_POST
def task_done(request: TenantRequest, pk: int) -> HttpResponse:
    task = tenant_get(request, Task, pk)
    services.task_complete(task=task, done=request.POST.get("undo") != "1")
    if request.htmx:
        return render(request, "crm/_task_row.html", {"task": task, "today": timezone.localdate()})
    return redirect(request.POST.get("next") or "tasks")
