"""The Code4LibNYC demo, drawn from the chapter's founding announcement of 27 August 2008."""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from chapterhouse.demo_forum import load_forum
from chapterhouse.demo_hub import load_hub
from chapterhouse.demo_meetings import load_meetings
from chapterhouse.demo_polls import load_polls
from chapterhouse.demo_projects import load_projects
from chapters.models import Chapter, ChapterLink, FocusArea
from members.models import JobRole, Membership, Profile, Role, RoleChange, User
from members.services import is_organizer
from stories.frontmatter import read_post
from stories.services import import_post, import_redirect_row

DEMO_PASSWORD = "code4lib-nyc-demo"  # noqa: S105 - printed for people trying the demo

DESCRIPTION = """\
We are a local version of the Code4Lib national organization: a forum where library \
technologists share information about library technology and discuss their current projects. \
The group is open to all library staff interested in the coding, deployment, and design of \
library software, systems, and web services.

Code4LibNYC channels the spirit of the national organization for software and web developers \
and programmers working at libraries. We focus on development issues surrounding content \
management systems, web application frameworks, digital library systems, institutional \
repositories, subject repositories, federated search tools, and next generation OPACs, and we \
look at the protocols and programming tools that power these applications. Many of our \
members have a strong interest in open source software.

Members include systems librarians, web services librarians, digital library developers, \
digital library managers, and systems-inclined library staff. Meetings are hosted by member \
institutions; the first met at the METRO offices on East 11th Street.

We keep Code4Lib updated about the group, including more mundane things like scheduling and \
meeting formats, so that other local Code4Lib groups can benefit, and we look forward to \
hearing from those groups, too.
"""

FOCUS_AREAS = [
    "Content management systems",
    "Web application frameworks",
    "Digital library systems",
    "Institutional repositories",
    "Subject repositories",
    "Federated search tools",
    "Next generation OPACs",
]

LINKS = [
    ("METRO's Code4libNYC page", "http://www.metro.org/collaborate/index.php/Code4libNYC"),
    ("Code4Lib", "https://code4lib.org/"),
]


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    institution: str
    job_role: str
    interests: tuple[int, ...]
    bio: str = ""
    in_directory: bool = True


ORGANIZERS = [
    Person("Kevin Reiss", "kevin.reiss@example.org", "CUNY Graduate Center",
           JobRole.SYSTEMS_LIBRARIAN, (0, 2, 6), "Solr and next-generation catalogs."),
    Person("Paul Albert", "paul.albert@example.org", "Weill Cornell Medical College",
           JobRole.DIGITAL_LIBRARY_MANAGER, (3, 4), "Repositories and research profiles."),
    Person("Joanna DiPasquale", "joanna.dipasquale@example.org", "Columbia University Libraries",
           JobRole.WEB_SERVICES_LIBRARIAN, (0, 1), "Web services and digital humanities."),
]  # fmt: skip

MEMBERS = [
    Person("Maria Alvarez", "maria.alvarez@example.org", "New York Public Library",
           JobRole.DIGITAL_LIBRARY_DEVELOPER, (2, 3), "Builds digital collections with Fedora."),
    Person("David Chen", "david.chen@example.org", "Brooklyn Public Library",
           JobRole.SYSTEMS_LIBRARIAN, (5, 6)),
    Person("Aisha Johnson", "aisha.johnson@example.org", "New York University Libraries",
           JobRole.WEB_SERVICES_LIBRARIAN, (0, 1), "Drupal, accessibility and usability testing."),
    Person("Samuel Okafor", "samuel.okafor@example.org", "Queens Public Library",
           JobRole.LIBRARY_STAFF, (6,)),
    Person("Rachel Goldberg", "rachel.goldberg@example.org", "The Frick Art Reference Library",
           JobRole.DIGITAL_LIBRARY_MANAGER, (2, 4)),
    Person("Tomás Rivera", "tomas.rivera@example.org", "Fordham University Libraries",
           JobRole.DIGITAL_LIBRARY_DEVELOPER, (1, 5), "Python and search interfaces."),
    Person("Priya Natarajan", "priya.natarajan@example.org", "Columbia University Libraries",
           JobRole.DIGITAL_LIBRARY_DEVELOPER, (3, 4)),
    Person("Li Wei", "li.wei@example.org", "The New School Libraries",
           JobRole.WEB_SERVICES_LIBRARIAN, (0,)),
    Person("Hannah Becker", "hannah.becker@example.org", "Pratt Institute Libraries",
           JobRole.LIBRARY_STAFF, (2,), in_directory=False),
    Person("Marcus Greene", "marcus.greene@example.org", "METRO",
           JobRole.SYSTEMS_LIBRARIAN, (5,), "Shared systems for member libraries."),
    Person("Elena Petrova", "elena.petrova@example.org", "The Morgan Library & Museum",
           JobRole.DIGITAL_LIBRARY_MANAGER, (2, 3)),
    Person("Jamal Wright", "jamal.wright@example.org", "CUNY Brooklyn College Library",
           JobRole.LIBRARY_STAFF, (6, 1)),
]  # fmt: skip

STAFF_EMAIL = "admin@example.org"

# The founding announcement as the national Code4Lib site published it, with its old addresses.
ANNOUNCEMENT = Path(__file__).parent / "demo_content" / "2008-08-27-code4libnyc.md"
ANNOUNCEMENT_OLD_PATHS = ["/node/252", "/story/252"]


@dataclass
class DemoResult:
    chapter: Chapter
    created: int = 0

    @property
    def login_email(self) -> str:
        return ORGANIZERS[0].email


@transaction.atomic
def load_demo() -> DemoResult:
    """Create the Code4LibNYC chapter, its organizers and members; a second run changes nothing."""
    chapter, created = Chapter.objects.get_or_create(
        slug="code4libnyc",
        defaults={
            "name": "Code4LibNYC",
            "tagline": "Library technologists in the New York City area, sharing what they build.",
            "description": DESCRIPTION,
            "region": "New York City area",
            "time_zone": "America/New_York",
        },
    )
    result = DemoResult(chapter=chapter, created=int(created))
    if created:
        for position, name in enumerate(FOCUS_AREAS):
            FocusArea.objects.create(chapter=chapter, name=name, position=position)
        for position, (label, url) in enumerate(LINKS):
            ChapterLink.objects.create(chapter=chapter, label=label, url=url, position=position)
    areas = list(chapter.focus_areas.order_by("position"))
    password = make_password(DEMO_PASSWORD)
    for person in ORGANIZERS:
        result.created += add_person(chapter, person, Role.ORGANIZER, areas, password)
    for person in MEMBERS:
        result.created += add_person(chapter, person, Role.MEMBER, areas, password)
    staff, staff_created = User.objects.get_or_create(
        email=STAFF_EMAIL,
        defaults={"is_staff": True, "is_superuser": True, "password": password,
                  "email_verified_at": timezone.now()},
    )  # fmt: skip
    if staff_created:
        Profile.objects.create(user=staff, display_name="Site administrator", in_directory=False)
    result.created += int(staff_created)
    if not chapter.stories.filter(source=ANNOUNCEMENT.name).exists():
        story, _new, _warnings = import_post(chapter, read_post(ANNOUNCEMENT))
        import_redirect_row(ANNOUNCEMENT_OLD_PATHS, story.get_absolute_url())
        result.created += 1
    result.created += load_meetings(chapter)
    people = [
        m.user for m in chapter.memberships.select_related("user").order_by("joined_at", "pk")
    ]
    organizer = next(user for user in people if is_organizer(user, chapter))
    result.created += load_projects(chapter, people)
    threads_before = chapter.forum_threads.count()
    load_forum(chapter, people)
    result.created += chapter.forum_threads.count() - threads_before
    result.created += load_polls(chapter, organizer, people)
    result.created += load_hub()
    return result


def add_person(chapter: Chapter, person: Person, role: str, areas: list, password: str) -> int:
    """Create one demo account with its profile and membership, if it is not there yet."""
    user, created = User.objects.get_or_create(
        email=person.email, defaults={"password": password, "email_verified_at": timezone.now()}
    )
    if not created:
        return 0
    profile = Profile.objects.create(
        user=user,
        display_name=person.name,
        institution=person.institution,
        job_role=person.job_role,
        bio=person.bio,
        in_directory=person.in_directory,
    )
    profile.interests.set([areas[i] for i in person.interests if i < len(areas)])
    Membership.objects.get_or_create(chapter=chapter, user=user, defaults={"role": role})
    RoleChange.objects.create(
        chapter=chapter, member=user, actor=user, action=RoleChange.Action.JOINED
    )
    return 1
