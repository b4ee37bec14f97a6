from django.apps import AppConfig


class EmailfeedConfig(AppConfig):
    name = "emailfeed"
    default_auto_field = "django.db.models.BigAutoField"
