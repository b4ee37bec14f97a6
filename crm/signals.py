"""Events of the core that apps to the right react to (crm never imports them)."""

from django.dispatch import Signal

# Sent inside account_create's transaction and tenant context, with ``account`` and
# ``owner``: apps seed their per-account defaults (lead sources, import profiles…).
account_created = Signal()
