from django.urls import URLPattern, URLResolver, path

from emailfeed import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="feed_inbox"),
    path("settings/", views.feed_settings, name="feed_settings"),
    path("settings/test-lead/", views.send_test_lead, name="feed_test_lead"),
    path("messages/<int:pk>/", views.message_detail, name="feed_message"),
    path("messages/<int:pk>/parse-again/", views.parse_again, name="feed_parse_again"),
    path("messages/<int:pk>/prospect/", views.manual_lead, name="feed_manual_lead"),
    path("messages/<int:pk>/set-aside/", views.set_aside, name="feed_set_aside"),
    path("inbound/<str:token>/", views.inbound, name="feed_inbound"),
]
