from django.urls import URLPattern, URLResolver, path

from contacts import views_io

urlpatterns: list[URLPattern | URLResolver] = [
    path("import/vcard/", views_io.vcard_import, name="contact_vcard_import"),
    path("<int:pk>/vcard/", views_io.contact_vcard, name="contact_vcard"),
]
