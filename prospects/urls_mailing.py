from django.urls import URLPattern, URLResolver, path

from prospects import views_mailing

urlpatterns: list[URLPattern | URLResolver] = [
    path("mailing/", views_mailing.mailing_page, name="mailing"),
    path("mailing/preview/", views_mailing.mailing_preview, name="mailing_preview"),
    path("mailing/preview/sheet/", views_mailing.mailing_sheet, name="mailing_sheet"),
]
