from django.urls import URLPattern, URLResolver, include, path

# One module per part of the prospects app, so they grow side by side.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("prospects.urls_leads")),
    path("", include("prospects.urls_dedupe")),
    path("", include("prospects.urls_merge")),
    path("", include("prospects.urls_kiosk")),
    path("", include("prospects.urls_mailing")),
    path("", include("prospects.urls_import")),
]
