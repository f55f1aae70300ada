"""The project pages never answer 500, carry no inline code, and have a working admin."""

import re

import pytest
from django.urls import reverse

from projects.models import Contributor, Project, Technology
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.projects.factories import ContributorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

BASE = "/chapters/code4libnyc/projects/"
STRANGE_PATHS = [
    f"{BASE}%00/",
    f"{BASE}{'x' * 300}/",
    f"{BASE}?area=99999999999999999999999",
    f"{BASE}?area=%00&technology=%00&institution=%00&status=%00",
    f"{BASE}?page=99999999999999999999999",
    f"{BASE}?institution=%F0%9F%98%80",
    f"{BASE}technologies/?order=%00",
    f"{BASE}catalog/edit/",
    f"{BASE}catalog/contributors/",
]
STRANGE_POSTS = {
    f"{BASE}new/": {"name": "\x00", "licence": "\x00 OR (", "technologies": "\x00, ,,"},
    f"{BASE}catalog/edit/": {"name": "x", "summary": "y", "status": "active", "licence": ")("},
    f"{BASE}catalog/contributors/": {"user": "99999999999999999999999", "remove": "\x00"},
    f"{BASE}catalog/talks/": {"talk": "99999999999999999999999", "unlink": "\x00"},
}


@pytest.fixture
def project(chapter, organizer):
    project = ProjectFactory(chapter=chapter, slug="catalog", technologies=["Solr"])
    ContributorFactory(project=project, user=organizer)
    return project


@pytest.mark.parametrize("path", STRANGE_PATHS)
@pytest.mark.parametrize("who", ["anonymous", "organizer"])
def test_strange_paths_never_fail(client, organizer, project, path, who):
    client = client if who == "anonymous" else client_for(organizer)
    assert client.get(path).status_code < 500


@pytest.mark.parametrize("path", list(STRANGE_POSTS))
def test_strange_posts_never_fail_and_write_nothing(organizer_client, project, path):
    assert organizer_client.post(path, STRANGE_POSTS[path]).status_code in (302, 400)
    project.refresh_from_db()
    assert project.name != "x" and Project.objects.count() == 1
    assert Contributor.objects.count() == 1 and not project.talks.exists()


@pytest.mark.parametrize(
    "path", [BASE, f"{BASE}catalog/", f"{BASE}new/", f"{BASE}technologies/", f"{BASE}catalog/edit/"]
)
def test_pages_have_no_inline_code(organizer_client, project, path):
    response = organizer_client.get(path)
    assert response.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert " style=" not in response.text and "<style" not in response.text
    assert re.search(r" on[a-z]+=", response.text) is None


def test_every_model_has_a_working_admin(project):
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    for model in (Project, Technology, Contributor):
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist + "?q=library").status_code == 200, changelist
        assert (
            client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
        )
    change = reverse("admin:projects_project_change", args=[project.pk])
    assert client.get(change).status_code == 200
