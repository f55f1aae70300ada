from django.urls import path

from forum import views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_thread, name="new_thread"),
    path("e-mail/", views.preferences, name="preferences"),
    path("manage/", views.manage, name="manage"),
    path("manage/categories/new/", views.edit_category, name="category_create"),
    path("manage/categories/<slug:category>/", views.edit_category, name="category_edit"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/posts/<id:pk>/", views.moderate_post, name="moderate_post"),
    path("moderation/threads/<id:pk>/", views.moderate_thread, name="moderate_thread"),
    path("moderation/members/<id:user_id>/", views.suspend_member, name="suspend"),
    path("c/<slug:category>/", views.category_detail, name="category"),
    path("c/<slug:category>/watch/", views.watch_category, name="watch_category"),
    path("t/<id:pk>/", views.thread_detail, name="thread"),
    path("t/<id:pk>/reply/", views.reply, name="reply"),
    path("t/<id:pk>/watch/", views.watch_thread, name="watch_thread"),
    path("p/<id:pk>/", views.post_detail, name="post"),
    path("p/<id:pk>/edit/", views.edit_post, name="edit_post"),
    path("p/<id:pk>/delete/", views.delete_post, name="delete_post"),
    path("p/<id:pk>/history/", views.post_history, name="post_history"),
    path("p/<id:pk>/flag/", views.flag_post, name="flag_post"),
]
