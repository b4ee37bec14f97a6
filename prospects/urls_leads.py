from django.urls import URLPattern, URLResolver, path

from prospects import views_leads as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.prospect_list, name="prospect_list"),
    path("sources/", views.lead_sources, name="lead_sources"),
    path("sources/<int:pk>/toggle/", views.lead_source_toggle, name="lead_source_toggle"),
    path("<int:pk>/lead/", views.lead_edit, name="lead_edit"),
    path("<int:pk>/qualify/", views.prospect_qualify, name="prospect_qualify"),
]
