from django.urls import URLPattern, URLResolver, include, path

from drips import views, views_campaigns, views_occasions

urlpatterns: list[URLPattern | URLResolver] = [
    path("library/", views.library, name="content_library"),
    path("library/<int:pk>/", views.item, name="content_item"),
    path("library/<int:pk>/copy/", views.copy, name="content_copy"),
    path("sequences/", views.sequence_list, name="sequence_list"),
    path("sequences/<int:pk>/", views.sequence_detail, name="sequence_detail"),
    path("sequences/apply/", views.drip_apply, name="drip_apply"),
    path("people/<int:pk>/enroll/", views.enroll_person, name="drip_enroll"),
    path("people/<int:pk>/stop-all/", views.stop_all_automations, name="stop_all_automations"),
    path("enrollments/<int:pk>/", views.enrollment_status, name="enrollment_status"),
    path("bulk/", views_campaigns.campaign_list, name="campaign_list"),
    path("bulk/new/", views_campaigns.campaign_new, name="campaign_new"),
    path("bulk/<int:pk>/", views_campaigns.campaign_detail, name="campaign_detail"),
    path("bulk/<int:pk>/cancel/", views_campaigns.campaign_cancel, name="campaign_cancel"),
    path("occasions/", views_occasions.occasion_list, name="occasions"),
    path("occasions/<int:pk>/<str:occasion>/", views_occasions.occasion_act, name="occasion_act"),
    path("bounces/", views.bounce_list, name="bounce_list"),
    path("", include("drips.urls_print")),
]
