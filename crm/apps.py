from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


def _bypass_for_migrate(sender: Any, **kwargs: Any) -> None:
    """Migrations touch every account's rows on purpose."""
    from crm.tenancy import set_bypass_for_process

    set_bypass_for_process()


def _install_policies(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from crm.rls import install_policies

    install_policies(using)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm import audit, checks, tenancy  # noqa: F401  (registers hooks and checks)

        audit.connect_signals()
        pre_migrate.connect(_bypass_for_migrate, dispatch_uid="crm_bypass_for_migrate")
        post_migrate.connect(_install_policies, sender=self, dispatch_uid="crm_install_rls")
