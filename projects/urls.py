from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("technologies/", views.technologies, name="technologies"),
    path("<slug:project>/", views.project_detail, name="detail"),
    path("<slug:project>/edit/", views.project_edit, name="edit"),
    path("<slug:project>/delete/", views.project_delete, name="delete"),
    path("<slug:project>/contributors/", views.contributors, name="contributors"),
    path("<slug:project>/talks/", views.talks, name="talks"),
]
