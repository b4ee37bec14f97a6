from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "prospects"
    default_auto_field = "django.db.models.BigAutoField"
