from django.urls import URLPattern, URLResolver, path

from callcapture import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.code_list, name="listing_codes"),
    path("settings/", views.settings_page, name="callcapture_settings"),
    path("settings/numbers/", views.number_add, name="twilio_number_add"),
    path("settings/numbers/<int:pk>/delete/", views.number_delete, name="twilio_number_delete"),
    path("codes/new/", views.code_new, name="listing_code_new"),
    path("codes/<int:pk>/", views.code_edit, name="listing_code_edit"),
    path("codes/<int:pk>/delete/", views.code_delete, name="listing_code_delete"),
    path("codes/<int:pk>/photos/", views.photo_add, name="listing_photo_add"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="listing_photo_delete"),
    path("codes/<int:pk>/rider.pdf", views.rider, name="listing_rider"),
    path("log/", views.hotline_log, name="hotline_log"),
    path("people/<int:pk>/text/", views.text_send, name="text_send"),
    path("phones/<int:pk>/dial/", views.dial, name="phone_dial"),
    path("calls/<int:pk>/", views.bridge_call, name="bridge_call"),
]
