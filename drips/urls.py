from django.urls import URLPattern, URLResolver, path

from drips import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("library/", views.library, name="content_library"),
    path("library/<int:pk>/", views.item, name="content_item"),
    path("library/<int:pk>/copy/", views.copy, name="content_copy"),
    path("sequences/", views.sequence_list, name="sequence_list"),
    path("sequences/<int:pk>/", views.sequence_detail, name="sequence_detail"),
    path("people/<int:pk>/enroll/", views.enroll_person, name="drip_enroll"),
    path("people/<int:pk>/stop-all/", views.stop_all_automations, name="stop_all_automations"),
    path("enrollments/<int:pk>/", views.enrollment_status, name="enrollment_status"),
]
