"""The site's URLs with the hub at /hub/, as config/urls.py is to include it."""

from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("hub/", include("federation.hub")), *site_urlpatterns]
