import factory

from projects.models import Contributor, Project, Technology
from tests.factories import ChapterFactory


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technology
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Tech {n}")
    slug = factory.LazyAttribute(lambda technology: technology.name.lower().replace(" ", "-"))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    chapter = factory.SubFactory(ChapterFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "A catalog front end for the consortium."
    institution = "New York Public Library"

    @factory.post_generation
    def technologies(self, create, names):
        for name in names or []:
            self.technologies.add(TechnologyFactory(name=name))


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contributor

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory("tests.factories.UserFactory")
    role = "Developer"
