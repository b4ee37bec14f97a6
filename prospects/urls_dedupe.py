from django.urls import URLPattern, URLResolver, path

from prospects import views_dedupe as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("duplicates/", views.duplicate_review, name="duplicate_review"),
    path("duplicates/scan/", views.duplicate_scan, name="duplicate_scan"),
    path("duplicates/dismiss/", views.duplicate_dismiss, name="duplicate_dismiss"),
]
