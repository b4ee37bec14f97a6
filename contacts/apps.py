from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts import dashboard, exports, imports
        from contacts import demo as contacts_demo
        from contacts.models import ContactCategory
        from crm import category_links, jobs
        from crm import dashboard as crm_dashboard
        from crm import demo as crm_demo

        category_links.register(ContactCategory, owner_field="contact")
        crm_dashboard.register(
            order=10, template="contacts/_dashboard_panel.html", context=dashboard.panel
        )
        crm_demo.register(
            crm_demo.Seeder(name="contacts", top_up=contacts_demo.top_up, add=contacts_demo.add)
        )
        jobs.register(exports.KINDS["csv"], exports.run_csv_export)
        jobs.register(exports.KINDS["vcard"], exports.run_vcard_export)
        jobs.register(imports.KIND, imports.vcard_import_run)
