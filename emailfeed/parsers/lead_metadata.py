"""The Real Estate Lead Metadata convention: lead fields as <meta> tags in the HTML head
(lead_information_version, lead_source, lead_type, lead_name, lead_email, lead_phone,
lead_message, lead_property_*). Tried first on every message: a sender that follows it
is read exactly, whoever it is."""

from __future__ import annotations

from emailfeed.mail import Mail
from emailfeed.parsers import register
from emailfeed.parsers.base import LeadData, Parser, email_in, money, names, one_line, phone

_TYPES = {"buyer": "buyer", "buy": "buyer", "seller": "seller", "sell": "seller",
          "renter": "renter", "rent": "renter", "rental": "renter"}  # fmt: skip


class LeadMetadata(Parser):
    name = "lead_metadata"
    source = "Website"

    def recognises(self, mail: Mail) -> bool:
        return bool(mail.meta.get("lead_information_version")) and any(
            mail.meta.get(k) for k in ("lead_email", "lead_phone", "lead_name", "lead_first_name")
        )

    def parse(self, mail: Mail) -> LeadData:
        meta = mail.meta
        first, last = names(meta.get("lead_name", ""), meta.get("lead_first_name", ""),
                            meta.get("lead_last_name", ""))  # fmt: skip
        address = meta.get("lead_property_address", "")
        state_zip = " ".join(
            p for p in (meta.get("lead_property_state", ""), meta.get("lead_property_zip", "")) if p
        )
        city_line = one_line(meta.get("lead_property_city", ""), state_zip)
        return LeadData(
            source=meta.get("lead_source", "").strip()[:80] or self.source,
            first_name=first,
            last_name=last,
            email=email_in(meta.get("lead_email", "")),
            phone=phone(meta.get("lead_phone", "")),
            property_address=one_line(address, city_line) if address else "",
            mls_number=meta.get("lead_property_listing_id", "")
            or meta.get("lead_property_mls", ""),
            price=money(
                meta.get("lead_property_price", "") or meta.get("lead_property_list_price", "")
            ),
            message=meta.get("lead_message", "")[:5000],
            lead_type=_TYPES.get(meta.get("lead_type", "").strip().lower()),
        )


register(LeadMetadata())
