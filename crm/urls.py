from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from crm import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("welcome/", views.no_account, name="no_account"),
    path("switch/", views.account_switch, name="account_switch"),
    path("settings/account/", views.account_settings, name="account_settings"),
    path("profile/", views.profile, name="profile"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/", views.membership_edit, name="membership_edit"),
    path("team/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("team/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("categories/", views.categories, name="categories"),
    path("categories/merge/", views.category_merge, name="category_merge"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
    path("activity/", views.audit_log, name="audit_log"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("contacts/", include("contacts.urls")),
    path("prospects/", include("prospects.urls")),
    path("callcapture/", include("callcapture.urls")),
    path("emailfeed/", include("emailfeed.urls")),
    path("drips/", include("drips.urls")),
    path("", include("drips.urls_public")),
    path("", include("callcapture.urls_public")),
    path("accounts/", include("allauth.urls")),
]

# Email services' inbound webhooks (django-anymail), only with their basic-auth secret set.
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns.append(path("anymail/", include("anymail.urls")))
