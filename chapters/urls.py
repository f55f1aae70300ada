from django.urls import path

from chapters import views

app_name = "chapters"

urlpatterns = [
    path("", views.chapter_list, name="list"),
    path("<slug:slug>/", views.chapter_detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/members/", views.member_directory, name="directory"),
    path("<slug:slug>/members/manage/", views.manage_members, name="manage_members"),
    path("<slug:slug>/contact/", views.contact, name="contact"),
    path("<slug:slug>/edit/", views.edit_chapter, name="edit"),
]
