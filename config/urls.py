from django.contrib import admin
from django.urls import include, path

from chapters import views as chapter_views

urlpatterns = [
    path("", chapter_views.home, name="home"),
    path("accounts/", include("members.urls")),
    path("chapters/", include("chapters.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "chapterhouse.views.bad_request"
handler403 = "chapterhouse.views.permission_denied"
handler404 = "chapterhouse.views.page_not_found"
handler500 = "chapterhouse.views.server_error"
