from django.urls import URLPattern, URLResolver, path

from contacts import views_hygiene as views
from contacts.hygiene import HYGIENE_LISTS

urlpatterns: list[URLPattern | URLResolver] = [
    path("hygiene/", views.hygiene_index, name="hygiene_index"),
    path("hygiene/decay/", views.hygiene_decay, name="hygiene_decay"),
    path(
        "hygiene/silent-prospects/mark-cold/",
        views.prospects_mark_cold,
        name="hygiene_prospects_mark_cold",
    ),
    path(
        "hygiene/silent-prospects/<int:pk>/mark-cold/",
        views.prospect_mark_cold,
        name="hygiene_prospect_mark_cold",
    ),
    path("christmas-test/", views.christmas_test, name="christmas_test"),
    path("christmas-test/<int:pk>/cold/", views.christmas_test_cold, name="christmas_test_cold"),
    path("cold-cleanup/", views.cold_cleanup, name="cold_cleanup"),
    path("cold-cleanup/export/", views.cold_cleanup_export, name="cold_cleanup_export"),
    path("cold-cleanup/delete/", views.cold_cleanup_delete, name="cold_cleanup_delete"),
]

# Each hygiene list, and its count on its own (the index and the list's head load it).
for slug in HYGIENE_LISTS:
    urlpatterns += [
        path(
            f"hygiene/{slug}/", views.hygiene_list, {"slug": slug}, name=views.list_url_name(slug)
        ),
        path(
            f"hygiene/{slug}/count/",
            views.hygiene_count,
            {"slug": slug},
            name=views.list_url_name(slug, "count"),
        ),
    ]
