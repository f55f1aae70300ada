from django.contrib import admin
from django.urls import include, path

import chapterhouse.converters  # noqa: F401 - registers <id:...> and <year:...> for the apps
from chapterhouse.unsubscribe import unsubscribe
from chapters import views as chapter_views
from federation import playbook
from meetings import calendar_views
from stories.feeds import AllStoriesFeed

urlpatterns = [
    path("", chapter_views.home, name="home"),
    path("", include("federation.urls")),
    path("accounts/", include("members.urls")),
    path("chapters/", include("chapters.urls")),
    path("chapters/<slug:slug>/stories/", include("stories.urls")),
    path("stories/feed/", AllStoriesFeed(), name="all_stories_feed"),
    path("chapters/<slug:slug>/meetings/", include("meetings.urls")),
    path("chapters/<slug:slug>/forum/", include("forum.urls")),
    path("chapters/<slug:slug>/projects/", include("projects.urls")),
    path("chapters/<slug:slug>/polls/", include("polls.urls")),
    path("projects/", include("projects.urls_instance")),
    path("search/", include("search.urls")),
    path("oai", include("oaipmh.urls")),
    path("api/", include("api.urls")),
    path("hub/", include("federation.hub")),
    path("playbook/", playbook.playbook, name="playbook"),
    path("meetings/calendar.ics", calendar_views.instance_calendar, name="all_meetings_calendar"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("admin/", admin.site.urls),
]

handler400 = "chapterhouse.views.bad_request"
handler403 = "chapterhouse.views.permission_denied"
handler404 = "chapterhouse.views.page_not_found"
handler500 = "chapterhouse.views.server_error"
