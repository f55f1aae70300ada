import datetime as dt

import factory
from django.utils import timezone

from polls.models import Option, Poll
from tests.factories import ChapterFactory


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll

    chapter = factory.SubFactory(ChapterFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    kind = Poll.Kind.SINGLE
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


def poll_with_options(chapter, labels=("Venue A", "Venue B", "Venue C"), **fields) -> Poll:
    """A poll and its options, listed in the order given."""
    poll = PollFactory(chapter=chapter, **fields)
    for position, label in enumerate(labels, start=1):
        starts_at = label if isinstance(label, dt.datetime) else None
        Option.objects.create(poll=poll, position=position, label=str(label), starts_at=starts_at)
    return poll
