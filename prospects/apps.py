from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "prospects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contacts import filters, record_panels
        from contacts.services import contact_logged
        from crm.signals import account_created
        from prospects import leads, services

        account_created.connect(services.on_account_created, dispatch_uid="prospects_seed")
        contact_logged.connect(leads.on_contact_logged, dispatch_uid="prospects_first_response")
        filters.register_filter("stage", leads.stage_filter)
        filters.register_filter("lead_type", leads.lead_type_filter)
        filters.register_filter("lead_source", leads.lead_source_filter)
        from contacts.exports import ColumnGroup, register_csv_columns

        register_csv_columns(ColumnGroup(leads.LEAD_CSV_HEADERS, leads.lead_csv_values))
        record_panels.register_row_badge(template="prospects/_row_badge.html", related="lead")
        record_panels.register(
            order=10, template="prospects/_lead_panel.html", context=leads.lead_panel
        )
        from crm import jobs
        from prospects import mailing

        for kind in mailing.KINDS.values():  # mailing CSV, labels and envelopes
            jobs.register(kind, mailing.run_mailing_job)

        from crm.jobs import register as register_job_kind
        from prospects import dedupe

        register_job_kind(dedupe.JOB_KIND, dedupe.duplicate_scan_run)
        from prospects import valet_import

        register_job_kind(valet_import.KIND, valet_import.import_job)
        register_job_kind(valet_import.UNDO_KIND, valet_import.undo_job)
