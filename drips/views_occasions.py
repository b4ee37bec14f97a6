"""This week's birthdays and home anniversaries: call, send an eCard, mark done; and the
choice of automatic eCards and the Monday digest."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from contacts.access import contact_get
from contacts.models import NoteKind
from contacts.services import contact_log
from crm.access import member_required, tenant_get
from crm.types import TenantRequest
from drips import occasions
from drips.models import ContentItem, ContentKind, Occasion, OccasionHow, OccasionSettings


class OccasionSettingsForm(forms.ModelForm):
    class Meta:
        model = OccasionSettings
        fields = ["auto_birthday", "birthday_card", "auto_anniversary", "anniversary_card",
                  "weekly_digest"]  # fmt: skip

    def __init__(self, *args: object, account_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cards = ContentItem.objects.for_account(account_id).filter(kind=ContentKind.ECARD)
        for name in ("birthday_card", "anniversary_card"):
            self.fields[name].queryset = cards  # type: ignore[attr-defined]
            self.fields[name].empty_label = "Choose an eCard…"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for auto, card in (("auto_birthday", "birthday_card"),
                           ("auto_anniversary", "anniversary_card")):  # fmt: skip
            if data.get(auto) and not data.get(card):
                self.add_error(card, "Choose the eCard to send.")
        return data


def _week_offset(value: str) -> int:
    """Weeks from this one (?week=1 is next week), within a year either way."""
    return int(value) if value.lstrip("-").isdigit() and abs(int(value)) < 53 else 0


def _monday(request: TenantRequest, weeks: int) -> date:
    today = occasions.local_now(request.account).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


@member_required()
@require_http_methods(["GET", "POST"])
def occasion_list(request: TenantRequest) -> HttpResponse:
    chosen = occasions.settings_for(request.account.pk)
    form = OccasionSettingsForm(request.POST or None, instance=chosen,
                                account_id=request.account.pk)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("occasions")
    week = _week_offset(request.GET.get("week", "0"))
    days = occasions.week_of(_monday(request, week))
    return render(request, "drips/occasions.html", {
        "entries": occasions.entries(request.account, days), "days": days, "form": form,
        "week": week, "cards": ContentItem.objects.for_account(request.account)
        .filter(kind=ContentKind.ECARD).order_by("title"),
        "default_cards": occasions.default_cards(request.account.pk, chosen),
    })  # fmt: skip


@member_required()
@require_POST
def occasion_act(request: TenantRequest, pk: int, occasion: str) -> HttpResponse:
    contact = contact_get(request, pk)
    if occasion not in Occasion.values:
        return redirect("occasions")
    year = int(request.POST.get("year", "0") or 0) or occasions.local_now(request.account).year
    action = request.POST.get("action", "")
    week = _week_offset(request.POST.get("week", "0"))
    back = reverse("occasions") + (f"?week={week}" if week else "")
    if action == "ecard":
        card = tenant_get(request, ContentItem, int(request.POST.get("card") or 0),
                          kind=ContentKind.ECARD)  # fmt: skip
        why = occasions.send_card(contact=contact, occasion=occasion, year=year, card=card,
                                  by=request.user)  # fmt: skip
        if why:
            messages.error(request, f"No eCard for {contact}: {why}")
        else:
            messages.success(request, f"“{card.title}” is on its way to {contact}.")
    elif action in (OccasionHow.CALLED, OccasionHow.DONE):
        if occasions.mark(contact=contact, occasion=occasion, year=year, how=action,
                          by=request.user) and action == OccasionHow.CALLED:  # fmt: skip
            contact_log(contact=contact, actor=request.user, kind=NoteKind.CALL_CONNECTED,
                        body=f"Called for their {Occasion(occasion).label.lower()}.")  # fmt: skip
        done = "called" if action == OccasionHow.CALLED else "done"
        messages.success(request, f"{contact}: {done} for this year.")
    return redirect(back)
