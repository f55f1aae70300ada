"""Querysets compiled once (chapterhouse/prepared.py) give what the querysets give."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.prepared import PreparedQuery
from members.models import Membership, User
from tests.factories import ChapterFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def memberships(chapter):
    other = ChapterFactory(slug="elsewhere")
    MembershipFactory.create_batch(3, chapter=other)
    return MembershipFactory.create_batch(7, chapter=chapter)


def in_chapter(chapter):
    return Membership.objects.filter(chapter_id=chapter).order_by("pk")


def test_model_rows_equal_the_querysets_with_converted_values(chapter, memberships):
    prepared = PreparedQuery(in_chapter, chapter=int)
    found = prepared.all(chapter=chapter.pk)
    expected = list(in_chapter(chapter.pk))
    assert found == expected
    assert [m.joined_at for m in found] == [m.joined_at for m in expected]
    assert all(timezone.is_aware(m.joined_at) for m in found)
    assert found[0]._state.db == "default" and not found[0]._state.adding


def test_values_list_rows_are_tuples_like_the_querysets(chapter, memberships):
    def build(chapter):
        return in_chapter(chapter).values_list("user_id", "role", "joined_at")

    prepared = PreparedQuery(build, chapter=int)
    assert prepared.all(chapter=chapter.pk) == list(build(chapter.pk))
    assert prepared.all(chapter=10**9) == []


def test_select_related_is_filled_without_another_query(chapter, memberships):
    prepared = PreparedQuery(
        lambda id: User.objects.select_related("profile").filter(pk=id), id=int
    )
    user = memberships[0].user
    with CaptureQueriesContext(connection) as queries:
        found = prepared.first(id=user.pk)
        assert found.profile.display_name == user.profile.display_name
    assert len(queries) == 1
    assert prepared.first(id=10**9) is None


def test_strings_and_several_uses_of_one_parameter(chapter, memberships):
    prepared = PreparedQuery(
        lambda name: Membership.objects.filter(chapter__slug=name, chapter__name__gte=name[:0]),
        name=str,
    )
    assert len(prepared.all(name=chapter.slug)) == 7
    assert prepared.all(name="nowhere' OR 1=1 --") == []


def test_slices_match_the_querysets(chapter, memberships):
    prepared = PreparedQuery(in_chapter, chapter=int)
    for start, stop in [(0, 3), (3, 6), (6, 10), (10, 20), (2, 2)]:
        assert prepared.slice(start, stop, chapter=chapter.pk) == list(
            in_chapter(chapter.pk)[start:stop]
        )
    with pytest.raises(ValueError):
        prepared.slice(5, 2, chapter=chapter.pk)
    sliced = PreparedQuery(lambda chapter: in_chapter(chapter)[:1], chapter=int)
    assert sliced.all(chapter=chapter.pk) == list(in_chapter(chapter.pk)[:1])
    with pytest.raises(ImproperlyConfigured):
        sliced.slice(0, 1, chapter=chapter.pk)


def test_the_queryset_is_built_and_compiled_once(chapter, memberships):
    built = []

    def build(chapter):
        built.append(chapter)
        return in_chapter(chapter)

    prepared = PreparedQuery(build, chapter=int)
    for _ in range(5):
        prepared.all(chapter=chapter.pk)
    assert chapter.pk not in built  # only stand-ins: model, then two compilations
    assert len(built) == 3


def test_a_queryset_that_changes_between_builds_is_refused(chapter):
    def build(chapter):
        return Membership.objects.filter(chapter_id=chapter, joined_at__lte=timezone.now())

    prepared = PreparedQuery(build, chapter=int)
    with pytest.raises(ImproperlyConfigured, match="changes between builds"):
        prepared.all(chapter=chapter.pk)


def test_parameters_must_be_filter_values(chapter):
    unused = PreparedQuery(lambda chapter: Membership.objects.all(), chapter=int)
    with pytest.raises(ImproperlyConfigured, match="filter values"):
        unused.all(chapter=chapter.pk)
    with pytest.raises(TypeError):
        PreparedQuery(in_chapter, chapter=float)
    with pytest.raises(TypeError):
        PreparedQuery(in_chapter, chapter=int).all(chapters=1)


def test_each_database_gets_its_own_compilation(chapter, memberships):
    prepared = PreparedQuery(in_chapter, chapter=int)
    prepared.all(chapter=chapter.pk)
    assert set(prepared._compiled) == {"default"}
    assert prepared._compiled["default"].sql.count("%s") == 1


@pytest.mark.django_db(transaction=True)
def test_closing_a_sqlite_connection_refreshes_planner_statistics(chapter, memberships):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner statistics")
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM members_membership WHERE chapter_id = %s", [chapter.pk]
            )
    finally:
        fresh.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analysed = {row[0] for row in cursor.fetchall()}
    assert "members_membership" in analysed
