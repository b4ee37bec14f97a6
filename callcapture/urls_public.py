"""What the outside world reaches: Twilio's webhooks and the electronic flyers."""

from django.urls import URLPattern, URLResolver, path

from callcapture import views, views_twilio

urlpatterns: list[URLPattern | URLResolver] = [
    path("twilio/sms/", views_twilio.sms, name="twilio_sms"),
    path("twilio/sms/status/", views_twilio.sms_status, name="twilio_sms_status"),
    path("twilio/voice/", views_twilio.voice, name="twilio_voice"),
    path("twilio/voice/code/", views_twilio.voice_code, name="twilio_voice_code"),
    path("twilio/voice/menu/", views_twilio.voice_menu, name="twilio_voice_menu"),
    path("twilio/bridge/<str:token>/", views_twilio.bridge, name="twilio_bridge"),
    path("twilio/bridge/<str:token>/done/", views_twilio.bridge_done, name="twilio_bridge_done"),
    path(
        "twilio/bridge/<str:token>/status/",
        views_twilio.bridge_status,
        name="twilio_bridge_status",
    ),
    path("f/<str:token>/", views.flyer, name="flyer"),
    path("f/<str:token>/photos/<int:pk>/", views.flyer_photo, name="flyer_photo"),
]
