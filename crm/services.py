"""Writes to the core: accounts, memberships, invitations, categories."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from crm import category_links
from crm.audit import audit_record
from crm.models import (
    FLAG_NAMES,
    Account,
    Category,
    Invitation,
    Membership,
    Role,
    Task,
    User,
)
from crm.signals import account_created
from crm.tenancy import rls_bypass, tenant_context

DEFAULT_CATEGORIES: list[tuple[str, str, str]] = [
    ("top100", "Top100", "The hundred people who send you the most business."),
    ("cold", "Cold", "Asked not to be contacted, or gone quiet: no automations."),
    ("nolead", "NoLead", "Never a source of business: skip them in lead work."),
    ("christmas", "Christmas", "Gets the yearly holiday card."),
    ("newsletter", "Newsletter", "Receives the newsletter."),
    ("vendor", "Vendor", "Inspectors, lenders, trades and other service providers."),
    ("past_client", "Past Client", "Bought or sold with you."),
    ("sphere", "Sphere", "People who know you personally."),
    ("family", "Family", ""),
    ("friend", "Friend", ""),
    ("agent", "Agent", "Other real-estate agents."),
]


def account_create(*, name: str, owner: User, time_zone: str | None = None) -> Account:
    """A new tenant with its owner's membership and the seeded categories."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "The account needs a name."})
    with transaction.atomic():
        account = Account.objects.create(name=name, time_zone=time_zone or settings.TIME_ZONE)
        with tenant_context(account.pk, owner.pk):
            membership = Membership(account=account, user=owner, role=Role.OWNER)
            membership.apply_role_preset()
            membership.save()
            for key, cat_name, description in DEFAULT_CATEGORIES:
                Category.objects.create(
                    account=account, key=key, name=cat_name, description=description
                )
            audit_record(
                account_id=account.pk,
                instance=account,
                action="create",
                changes={"name": [None, account.name], "time_zone": [None, account.time_zone]},
            )
            account_created.send(sender=Account, account=account, owner=owner)
    return account


def user_create(
    *, email: str, password: str | None, full_name: str = "", email_verified: bool = False
) -> User:
    """A login. ``email_verified`` when the address is proven (an invitation link was
    followed, an operator created it); allauth asks for a verified address before 2FA."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this email already exists."})
    user = User.objects.create_user(email=email, password=password, full_name=full_name.strip())
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if email_verified:
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


def account_update(
    *, account: Account, name: str, time_zone: str, default_region: str | None = None
) -> Account:
    old = {
        "name": account.name,
        "time_zone": account.time_zone,
        "default_region": account.default_region,
    }
    account.name = name.strip()
    account.time_zone = time_zone
    if default_region:
        account.default_region = default_region
    account.save(update_fields=["name", "time_zone", "default_region"])
    changes = {k: [v, getattr(account, k)] for k, v in old.items() if getattr(account, k) != v}
    if changes:
        audit_record(account_id=account.pk, instance=account, action="update", changes=changes)
    return account


def membership_update(*, membership: Membership, role: str, flags: dict[str, bool]) -> Membership:
    """Change a member's role and flags; an account always keeps an owner who manages users."""
    # Ask the database: a bound ModelForm has already put the new role on the instance.
    stored_role = Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
    if stored_role == Role.OWNER and role != Role.OWNER:
        owners = Membership.objects.filter(account_id=membership.account_id, role=Role.OWNER)
        if owners.count() <= 1:
            raise ValidationError("An account needs at least one owner.")
    membership.role = role
    for flag in FLAG_NAMES:
        setattr(membership, flag, bool(flags.get(flag, False)))
    if role == Role.OWNER:
        membership.apply_role_preset()
    membership.save()
    return membership


def is_last_owner(membership: Membership) -> bool:
    return (
        membership.role == Role.OWNER
        and Membership.objects.filter(account_id=membership.account_id, role=Role.OWNER).count()
        <= 1
    )


def membership_remove(*, membership: Membership) -> None:
    if membership.role == Role.OWNER:
        owners = Membership.objects.filter(account_id=membership.account_id, role=Role.OWNER)
        if owners.count() <= 1:
            raise ValidationError("The last owner cannot be removed.")
    membership.delete()


def invitation_create(
    *,
    account: Account,
    email: str,
    role: str,
    invited_by: User,
    flags: dict[str, bool] | None = None,
) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.filter(account=account, user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the account."})
    Invitation.objects.for_account(account).filter(
        email__iexact=email, accepted_at__isnull=True
    ).delete()
    invitation = Invitation(account=account, email=email, role=role, invited_by=invited_by)
    probe = Membership(role=role)
    probe.apply_role_preset()
    for flag in FLAG_NAMES:
        value = getattr(probe, flag) if flags is None else flags.get(flag, False)
        setattr(invitation, flag, value)
    invitation.save()
    from crm.tasks import send_invitation_email

    transaction.on_commit(
        lambda: send_invitation_email.delay(account_id=account.pk, invitation_id=invitation.pk)
    )
    return invitation


def invitation_find(token: str) -> Invitation | None:
    """Public lookup by unguessable token: the one deliberate cross-account read."""
    with rls_bypass():
        return Invitation.objects.select_related("account").filter(token=token).first()


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    if not invitation.is_open:
        raise ValidationError("This invitation has expired or was already used.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    with transaction.atomic(), tenant_context(invitation.account_id, user.pk):
        membership, _ = Membership.objects.get_or_create(
            account_id=invitation.account_id,
            user=user,
            defaults={"role": invitation.role, **invitation.flags()},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def category_create(*, account: Account, name: str, description: str = "") -> Category:
    name = name.strip()
    _check_category_name(account=account, name=name)
    return Category.objects.create(account=account, name=name, description=description.strip())


def category_rename(*, category: Category, name: str, description: str | None = None) -> Category:
    name = name.strip()
    _check_category_name(account=category.account_id, name=name, exclude_pk=category.pk)
    category.name = name
    if description is not None:
        category.description = description.strip()
    category.save()
    return category


def _check_category_name(
    *, account: Account | int, name: str, exclude_pk: int | None = None
) -> None:
    if not name:
        raise ValidationError({"name": "A category needs a name."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep category names to 80 characters."})
    clash = (
        Category.objects.for_account(account)
        .annotate(lname=Lower("name"))
        .filter(lname=name.lower())
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a category called “{name}”."})


def category_delete(*, category: Category) -> None:
    if category.is_system:
        raise ValidationError(
            f"“{category.name}” is used by the CRM's own rules; rename it instead of deleting it."
        )
    category.delete()


def category_merge(*, source: Category, target: Category) -> Category:
    """Move everyone tagged ``source`` to ``target`` and remove ``source``."""
    if source.pk == target.pk:
        raise ValidationError("Choose two different categories to merge.")
    if source.account_id != target.account_id:
        raise ValidationError("Categories belong to different accounts.")
    if source.is_system:
        raise ValidationError(
            f"“{source.name}” is used by the CRM's own rules; merge others into it instead."
        )
    with transaction.atomic():
        moved = category_links.move_links(source=source, target=target)
        audit_record(
            account_id=target.account_id,
            instance=target,
            action="merge",
            changes={"merged_from": [source.name, target.name], "people_moved": [None, moved]},
        )
        source.delete()
    return target


def category_usage(account: Account) -> dict[int, int]:
    return category_links.usage_counts(account)


def task_complete(*, task: Task, done: bool = True) -> Task:
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at"])
    return task
