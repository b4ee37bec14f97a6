from django.urls import URLPattern, URLResolver, path

from prospects import views_import as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", views.import_home, name="import_home"),
    path("imports/with/<int:pk>/", views.import_with_profile, name="import_with_profile"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/map/", views.import_map, name="import_map"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("imports/<int:pk>/problems.csv", views.import_problems, name="import_problems"),
    path("imports/profiles/<int:pk>/", views.import_profile_edit, name="import_profile_edit"),
    path(
        "imports/profiles/<int:pk>/delete/",
        views.import_profile_delete,
        name="import_profile_delete",
    ),
]
