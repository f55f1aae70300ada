"""Project pages across every chapter of the site, included at /projects/."""

from django.urls import path

from projects import views

urlpatterns = [
    path("", views.all_technologies, name="all_projects_technologies"),
]
