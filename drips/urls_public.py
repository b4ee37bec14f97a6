from django.urls import URLPattern, URLResolver, path

from drips import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("u/<str:token>/", views.unsubscribe_page, name="unsubscribe"),
    path("drips/bounces/inbound/", views.bounce_inbound, name="bounce_inbound"),
]
