"""The site's addresses plus the playbook, as config/urls.py will include it."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from meetings import playbook_views

urlpatterns = [*site_urlpatterns, path("playbook/", playbook_views.playbook, name="playbook")]
