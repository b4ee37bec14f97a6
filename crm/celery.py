"""The Celery app. Tenant tasks take ``account_id`` and run inside its tenant context."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TenantTask(Task):  # type: ignore[misc]
    """Sets the tenant (row-level security included) from ``account_id`` and clears it after."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from crm.tenancy import tenant_context

        account_id = kwargs.get("account_id")
        if not isinstance(account_id, int):
            raise TypeError(f"{self.name} must be called with account_id=<int> as a keyword")
        with tenant_context(account_id, kwargs.get("actor_id")):
            return super().__call__(*args, **kwargs)


def tenant_task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Decorator for tasks that touch one account's data; late ack, so safe to run again."""
    options.setdefault("acks_late", True)
    return app.task(base=TenantTask, **options)  # type: ignore[no-any-return]
