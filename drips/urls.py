from django.urls import URLPattern, URLResolver, path

from drips import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("library/", views.library, name="content_library"),
    path("library/<int:pk>/", views.item, name="content_item"),
    path("library/<int:pk>/copy/", views.copy, name="content_copy"),
]
