from django.apps import AppConfig


class DripsConfig(AppConfig):
    name = "drips"
    default_auto_field = "django.db.models.BigAutoField"
