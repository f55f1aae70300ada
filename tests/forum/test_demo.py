"""The demo forum: realistic threads in several categories, loaded twice without doubling."""

import pytest

from chapterhouse.demo_forum import load_forum
from forum.models import Post, Thread
from tests.factories import FocusAreaFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_demo_forum_loads_once_and_renders(chapter, organizer, client):
    for name in ("Digital library systems", "Institutional repositories"):
        FocusAreaFactory(chapter=chapter, name=name)
    people = [organizer, MembershipFactory(chapter=chapter).user]
    threads = load_forum(chapter, people)
    load_forum(chapter, people)
    assert Thread.objects.count() == len(threads) == 5
    assert Post.objects.count() == 11
    categories = {thread.title: thread.category.slug for thread in Thread.objects.all()}
    assert categories["Solr relevancy tuning for title searches"] == "digital-library-systems"
    assert categories["Migrating DSpace 6 to 7: lessons learned"] == "institutional-repositories"
    assert categories["Job: Systems Librarian, Example University Libraries"] == "jobs"
    # Without its focus area, a thread goes to General.
    assert categories["Blacklight and Hydra (Samvera) in 2026"] == "general"
    solr = Thread.objects.get(title__startswith="Solr")
    page = client.get(solr.get_absolute_url())
    assert page.status_code == 200 and 'class="hl-' in page.text
