import factory
from django.utils import timezone

from stories.models import Story
from stories.services import set_categories
from tests.factories import ChapterFactory


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story
        skip_postgeneration_save = True

    chapter = factory.SubFactory(ChapterFactory)
    title = factory.Sequence(lambda n: f"Story {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    body = "Some **news**."
    status = Story.Status.PUBLISHED
    published = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def categories(self, create, names, **kwargs):
        if create and names:
            set_categories(self, names)
