from django.apps import AppConfig


class CallcaptureConfig(AppConfig):
    name = "callcapture"
    default_auto_field = "django.db.models.BigAutoField"
