from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("", views.results, name="results"),
    path("json/", views.results_json, name="json"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
]
