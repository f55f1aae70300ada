"""The site's addresses plus the instance-wide project pages, as the site will include them."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("projects/", include("projects.urls_instance"))]
