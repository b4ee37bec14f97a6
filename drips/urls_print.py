"""Letters to print (included by drips/urls.py, so under /drips/)."""

from django.urls import URLPattern, URLResolver, path

from drips import views_print

urlpatterns: list[URLPattern | URLResolver] = [
    path("letters/", views_print.letters_to_print, name="letters_to_print"),
    path("letters/letters.pdf", views_print.letters_pdf, name="letters_pdf"),
    path("letters/labels.pdf", views_print.letters_labels_pdf, name="letters_labels_pdf"),
    path("letters/envelopes.pdf", views_print.letters_envelopes_pdf, name="letters_envelopes_pdf"),
    path("letters/mark-printed/", views_print.letters_mark_printed, name="letters_mark_printed"),
]
