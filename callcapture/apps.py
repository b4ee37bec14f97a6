from django.apps import AppConfig


class CallcaptureConfig(AppConfig):
    name = "callcapture"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from callcapture import panels, texting
        from contacts import record_panels
        from contacts.reachability import Channel, register_phone_exclusion
        from crm.notify import register_text_sender

        register_phone_exclusion(Channel.TEXT, texting.stopped_phones, "Texted STOP")
        register_text_sender(panels.text_the_agent)
        record_panels.register(
            order=20, template="callcapture/_person_panel.html", context=panels.person_panel
        )
