"""The demo's forum: Code4Lib conversations in several categories, with replies.

Loading twice changes nothing: a thread that already exists (by title) is left alone.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from chapters.models import Chapter
from forum.models import Category, Post, Thread, Watch
from forum.services import ensure_default_categories

# (category slug, title, [(author index, body), ...]): the first entry opens the thread.
THREADS = [
    (
        "digital-library-systems",
        "Solr relevancy tuning for title searches",
        [
            (
                0,
                "Our catalog ranks subject matches above exact titles. We use edismax with\n"
                'these boosts:\n\n```xml\n<str name="qf">title^10 subject^2 text</str>\n'
                '<str name="pf">title^50</str>\n```\n\nWhat else should we try?',
            ),
            (
                1,
                "Add a `title_exact` field (KeywordTokenizer + lowercase) and boost it in `pf`. "
                "Also check `mm`: with long queries, `2<-1 5<80%` worked well for us.",
            ),
            (
                2,
                "Don't forget the Solr debug output: `debugQuery=true` shows why a record "
                "scored the way it did. It saved us weeks.",
            ),
        ],
    ),
    (
        "institutional-repositories",
        "Migrating DSpace 6 to 7: lessons learned",
        [
            (
                1,
                "We finished our DSpace 6 → 7 upgrade last month. The Angular UI is a big "
                "change; plan time for theming and for retraining submitters.",
            ),
            (0, "How long did the database migration take? We have about 80,000 items."),
            (
                1,
                "About six hours for 120,000 items, most of it reindexing Solr. Run "
                "`./dspace database migrate` on a copy first and time it.",
            ),
        ],
    ),
    (
        "web-application-frameworks",
        "Blacklight and Hydra (Samvera) in 2026",
        [
            (
                2,
                "Is anyone starting a new Hyrax site, or are people moving to plain Blacklight "
                "with a separate repository?",
            ),
            (
                0,
                "We run Blacklight over Solr for discovery and keep Fedora behind Hyrax for "
                "our digital collections. Two apps, but each one stays simple.",
            ),
        ],
    ),
    (
        "jobs",
        "Job: Systems Librarian, Example University Libraries",
        [
            (
                0,
                "Example University Libraries is hiring a **Systems Librarian** to support "
                "our ILS, discovery layer and EZproxy.\n\n- Full time, hybrid\n"
                "- Salary range posted in the ad\n\nQuestions? Reply here or write to me.",
            ),
        ],
    ),
    (
        "general",
        "Welcome to the Code4LibNYC forum",
        [
            (
                0,
                "Share what you know about library technology and discuss your current "
                "projects. Introduce yourself below!",
            ),
            (1, "Hi all, I work on digital collections at a university library in Brooklyn."),
        ],
    ),
]


def category_for(chapter: Chapter, slug: str) -> Category:
    found = Category.objects.filter(chapter=chapter, slug=slug).first()
    return found or Category.objects.get(chapter=chapter, slug="general")


@transaction.atomic
def load_forum(chapter: Chapter, people: list) -> list[Thread]:
    """Create the demo threads (those not there yet), written by `people` in turn."""
    ensure_default_categories(chapter)
    start = timezone.now() - dt.timedelta(days=len(THREADS) * 3)
    threads = []
    for number, (slug, title, posts) in enumerate(THREADS):
        existing = Thread.objects.filter(chapter=chapter, title=title).first()
        if existing is not None:
            threads.append(existing)
            continue
        when = start + dt.timedelta(days=number * 3)
        threads.append(add_thread(category_for(chapter, slugify(slug)), title, posts, people, when))
    return threads


def add_thread(category: Category, title: str, posts: list, people: list, when) -> Thread:
    authors = [people[index % len(people)] for index, _body in posts]
    thread = Thread.objects.create(
        chapter=category.chapter, category=category, title=title, author=authors[0],
        created=when, last_activity=when + dt.timedelta(hours=len(posts) - 1),
        reply_count=len(posts) - 1,
    )  # fmt: skip
    for position, ((_index, body), author) in enumerate(zip(posts, authors, strict=True)):
        Post.objects.create(
            thread=thread, author=author, body=body, position=position,
            created=when + dt.timedelta(hours=position),
        )  # fmt: skip
    for author in set(authors):
        Watch.objects.get_or_create(user=author, thread=thread)
    return thread
