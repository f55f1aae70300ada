from django.urls import path

from polls import views

app_name = "polls"

urlpatterns = [
    path("", views.poll_list, name="list"),
    path("new/", views.poll_create, name="create"),
    path("<id:pk>/", views.poll_detail, name="detail"),
    path("<id:pk>/results/", views.poll_results, name="results"),
    path("<id:pk>/edit/", views.poll_edit, name="edit"),
    path("<id:pk>/close/", views.poll_close, name="close"),
    path("<id:pk>/schedule/", views.poll_schedule, name="schedule"),
]
