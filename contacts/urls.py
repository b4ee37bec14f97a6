from django.urls import URLPattern, URLResolver, include, path

from contacts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.contact_list, name="contact_list"),
    path("new/", views.contact_create, name="contact_create"),
    path("lookup/", views.contact_lookup, name="contact_lookup"),
    path("bulk/", views.contact_bulk, name="contact_bulk"),
    path("trash/", views.trash, name="contact_trash"),
    path("smart-lists/", views.smartlist_save, name="smartlist_save"),
    path("smart-lists/<int:pk>/count/", views.smartlist_count, name="smartlist_count"),
    path("smart-lists/<int:pk>/delete/", views.smartlist_delete, name="smartlist_delete"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/log/", views.contact_log, name="contact_log"),
    path("<int:pk>/notes/", views.note_create, name="note_create"),
    path("<int:pk>/phones/<int:phone_pk>/status/", views.phone_status, name="phone_status"),
    path("<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/restore/", views.contact_restore, name="contact_restore"),
    path("<int:pk>/deceased/", views.contact_deceased, name="contact_deceased"),
]

# Pages kept in modules of their own: hygiene and the Christmas card test; vCard and exports.
urlpatterns += [
    path("", include("contacts.urls_hygiene")),
    path("", include("contacts.urls_io")),
]
