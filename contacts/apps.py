from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts.models import ContactCategory
        from crm import category_links

        category_links.register(ContactCategory, owner_field="contact")
