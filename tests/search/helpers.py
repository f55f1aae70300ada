"""Reading search results the way a reader gets them: through the JSON endpoint."""

from django.test import Client


def found(client: Client, q: str, **filters) -> list[str]:
    """The titles a search returns, in rank order."""
    response = client.get("/search/json/", {"q": q, **filters})
    assert response.status_code == 200, response.content
    return [hit["title"] for hit in response.json()["results"]]


def answer(client: Client, q: str, **filters) -> dict:
    response = client.get("/search/json/", {"q": q, **filters})
    assert response.status_code == 200, response.content
    return response.json()
