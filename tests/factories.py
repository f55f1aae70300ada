"""Test data. Passwords are hashed once: Argon2 is slow on purpose."""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from chapters.models import Chapter, FocusArea
from members.models import Membership, Profile, Role, User

PASSWORD = "correct-horse-battery"


@cache
def hashed_password() -> str:
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.LazyFunction(hashed_password)
    email_verified_at = factory.LazyFunction(timezone.now)
    profile = factory.RelatedFactory("tests.factories.ProfileFactory", factory_related_name="user")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory, profile=None)
    display_name = factory.Sequence(lambda n: f"Person {n}")
    institution = "Example Library"


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Chapter {n}")
    slug = factory.Sequence(lambda n: f"chapter-{n}")
    time_zone = "America/New_York"


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"Area {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    chapter = factory.SubFactory(ChapterFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class OrganizerFactory(MembershipFactory):
    role = Role.ORGANIZER
