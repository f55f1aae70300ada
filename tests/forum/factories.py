import factory

from forum.models import Category, Post, Thread
from tests.factories import ChapterFactory, UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["chapter", "slug"]

    chapter = factory.SubFactory(ChapterFactory)
    name = "General"
    slug = "general"


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    category = factory.SubFactory(CategoryFactory)
    chapter = factory.SelfAttribute("category.chapter")
    title = factory.Sequence(lambda n: f"Thread {n}")
    author = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "Hello, **forum**."
    position = 0


def thread_with_posts(category, author, replies: int = 0) -> Thread:
    """A thread with its first post and `replies` replies, written straight to the database."""
    thread = ThreadFactory(category=category, author=author, reply_count=replies)
    Post.objects.bulk_create(
        [
            Post(thread=thread, author=author, body=f"Post number {n}", position=n)
            for n in range(replies + 1)
        ]
    )
    return thread
