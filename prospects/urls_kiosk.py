from django.urls import URLPattern, URLResolver, path

from prospects import views_kiosk as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("open-houses/", views.open_house_list, name="open_house_list"),
    path("open-houses/<int:pk>/", views.open_house_detail, name="open_house_detail"),
    path(
        "open-houses/<int:pk>/kiosk/revoke/",
        views.open_house_kiosk_revoke,
        name="open_house_kiosk_revoke",
    ),
    path(
        "open-houses/<int:pk>/kiosk/new/", views.open_house_kiosk_new, name="open_house_kiosk_new"
    ),
    # Public: no login, the token is the key.
    path("kiosk/<str:token>/", views.kiosk_form, name="kiosk"),
    path("kiosk/<str:token>/thanks/", views.kiosk_thanks, name="kiosk_thanks"),
]
