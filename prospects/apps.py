from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "prospects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm.signals import account_created
        from prospects import services

        account_created.connect(services.on_account_created, dispatch_uid="prospects_seed")
