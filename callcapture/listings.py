"""What the hotline says and texts about a listing, the agent's contact, and the
sign rider as a printable PDF."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string

from callcapture.models import ListingCode, TwilioNumber
from contacts.phones import format_national, parse_phone
from crm.models import Account, User
from crm.selectors import account_owner


def owner(account: Account | int) -> User | None:
    return account_owner(account)  # type: ignore[no-any-return]


def agent_mobile(account_id: int) -> str:
    """The owner's own mobile in E.164, where hotline callers and click-to-dial ring."""
    user = owner(account_id)
    if user is None or not user.mobile_phone:
        return ""
    region = Account.objects.filter(pk=account_id).values_list("default_region", flat=True)
    return parse_phone(user.mobile_phone, region.first() or "US").e164


def agent_name(account: Account) -> str:
    user = owner(account)
    return user.display_name if user else account.name


def money(value: int | None) -> str:
    return f"${value:,}" if value else ""


def _baths(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}".rstrip(".")


def summary(listing: ListingCode) -> str:
    """ "$425,000 · 3 bd · 2.5 ba · 1,850 sq ft"."""
    parts = [money(listing.price)]
    if listing.beds is not None:
        parts.append(f"{listing.beds} bd")
    if listing.baths is not None:
        parts.append(f"{_baths(listing.baths)} ba")
    if listing.square_feet:
        parts.append(f"{listing.square_feet:,} sq ft")
    return " · ".join(p for p in parts if p)


def flyer_url(listing: ListingCode) -> str:
    return settings.SITE_URL.rstrip("/") + listing.flyer_path


def flyer_text(listing: ListingCode) -> str:
    place = listing.property_street or listing.headline or "The home"
    details = summary(listing).replace(" · ", ", ")
    return f"{place}: {details}. Photos and details: {flyer_url(listing)} Reply STOP to opt out."


def spoken(listing: ListingCode) -> str:
    """What text to speech says: the agent's words, or built from the details."""
    if listing.spoken_text.strip():
        return listing.spoken_text.strip()
    parts = [f"{listing.property_street or listing.headline}."]
    if listing.price:
        parts.append(f"Offered at {listing.price:,} dollars.")
    rooms = []
    if listing.beds is not None:
        rooms.append(f"{listing.beds} bedrooms")
    if listing.baths is not None:
        rooms.append(f"{_baths(listing.baths)} bathrooms")
    if rooms:
        parts.append(" and ".join(rooms) + ".")
    if listing.square_feet:
        parts.append(f"About {listing.square_feet:,} square feet.")
    if listing.description:
        parts.append(listing.description.strip()[:600])
    return " ".join(parts)


def greeting(account: Account) -> str:
    return f"Thanks for calling {agent_name(account)}'s twenty-four hour home information line."


def help_text(account: Account) -> str:
    user = owner(account)
    name = agent_name(account)
    reach = []
    if user is not None and user.mobile_phone:
        parsed = parse_phone(user.mobile_phone, account.default_region or "US")
        reach.append(format_national(parsed.e164) if parsed.e164 else user.mobile_phone)
    if user is not None:
        reach.append(user.email)
    contact = ", ".join(reach)
    return (
        f"{name}{': ' + contact if contact else ''}. Text a listing code from a sign for its "
        "flyer. Reply STOP to stop texts."
    )


def rider_pdf(listing: ListingCode, number: TwilioNumber | None) -> bytes:
    """The sign rider (24 by 6 inches): the code and the number, big enough for the street."""
    from weasyprint import HTML

    phone = format_national(number.e164) if number else "(your hotline number)"
    line = f"Text {listing.code} to {phone}"
    # Bold DejaVu is about 0.62 em a character; 23 inches of sign are ~1,600 points.
    size = min(98, int(1600 / (0.62 * len(line))))
    context = {"listing": listing, "phone": phone, "size": size}
    html = render_to_string("callcapture/rider.html", context)
    return bytes(HTML(string=html).write_pdf())
