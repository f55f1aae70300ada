from django.urls import path

from stories import feeds, views

app_name = "stories"

urlpatterns = [
    path("", views.story_list, name="list"),
    path("feed/", feeds.ChapterStoriesFeed(), name="feed"),
    path("new/", views.story_create, name="create"),
    path("category/<str:category>/", views.category_list, name="category"),
    path("year/<year:year>/", views.year_list, name="year"),
    path("<str:story>/", views.story_detail, name="detail"),
    path("<str:story>/edit/", views.story_edit, name="edit"),
    path("<str:story>/delete/", views.story_delete, name="delete"),
]
