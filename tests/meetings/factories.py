import datetime as dt

import factory
from django.utils import timezone

from meetings.models import Meeting, Venue
from tests.factories import ChapterFactory


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    chapter = factory.SubFactory(ChapterFactory)
    host = "Example Library"
    name = factory.Sequence(lambda n: f"Room {n}")
    street_address = "476 Fifth Avenue"
    locality = "New York"
    region = "NY"
    postal_code = "10018"
    country = "US"
    capacity = 40


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    chapter = factory.SubFactory(ChapterFactory)
    title = factory.Sequence(lambda n: f"Meeting {n}")
    description = "Lightning talks and **pizza**."
    # Whole minutes, as people schedule meetings and as iCalendar writes times.
    start = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=14)
    )
    end = factory.LazyAttribute(lambda meeting: meeting.start + dt.timedelta(hours=2))
    venue = factory.SubFactory(VenueFactory, chapter=factory.SelfAttribute("..chapter"))
