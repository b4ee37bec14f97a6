from django.urls import URLPattern, URLResolver, path

from prospects import views_merge

urlpatterns: list[URLPattern | URLResolver] = [
    path("merge/", views_merge.contact_merge, name="contact_merge"),
    path("merges/", views_merge.merge_list, name="merge_list"),
    path("merges/<int:pk>/undo/", views_merge.merge_undo_view, name="merge_undo"),
]
