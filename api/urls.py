"""Mounted at /api/: the token page, the API itself, and JSON 404s for any other address."""

from django.urls import include, path, re_path

from api import views
from api.main import api

token_urls = [
    path("", views.token_list, name="list"),
    path("<id:token>/revoke/", views.revoke_token, name="revoke"),
]

urlpatterns = [
    path("", views.index, name="api_index"),
    path("tokens/", include((token_urls, "api_tokens"))),
    path("", api.urls),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
