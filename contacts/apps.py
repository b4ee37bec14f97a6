from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts import dashboard
        from contacts.models import ContactCategory
        from crm import category_links
        from crm import dashboard as crm_dashboard

        category_links.register(ContactCategory, owner_field="contact")
        crm_dashboard.register(
            order=10, template="contacts/_dashboard_panel.html", context=dashboard.panel
        )
