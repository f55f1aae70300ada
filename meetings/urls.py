from django.urls import path

from meetings import calendar_views, views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("past/", views.past_meetings, name="past"),
    path("calendar.ics", calendar_views.chapter_calendar, name="chapter_calendar"),
    path("new/", views.meeting_create, name="create"),
    path("venues/", views.venue_list, name="venues"),
    path("venues/new/", views.venue_edit, name="venue_create"),
    path("venues/<id:venue>/", views.venue_edit, name="venue_edit"),
    path("announcements/", views.announcement_addresses, name="announcement_addresses"),
    path("announcements/me/", views.announcements_preference, name="announcements_preference"),
    path("<id:pk>/", views.meeting_detail, name="detail"),
    path("<id:pk>/meeting.ics", calendar_views.meeting_ics, name="ics"),
    path("<id:pk>/edit/", views.meeting_edit, name="edit"),
    path("<id:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<id:pk>/attendees/", views.attendees, name="attendees"),
    path("<id:pk>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path("<id:pk>/talks/new/", views.propose_talk, name="propose_talk"),
    path("<id:pk>/talks/<id:talk>/", views.talk_decision, name="talk_decision"),
    path("<id:pk>/talks/<id:talk>/about/", views.talk_detail, name="talk"),
    path("<id:pk>/talks/<id:talk>/materials/", views.talk_materials, name="talk_materials"),
    path("<id:pk>/talks/<id:talk>/slides/", views.talk_slides, name="talk_slides"),
    path("<id:pk>/report/", views.report, name="report"),
]
