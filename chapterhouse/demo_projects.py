"""The demo's projects: what Code4LibNYC members build and run, with their talks linked."""

from chapters.models import Chapter
from meetings.models import Talk
from members.models import User
from projects import services
from projects.licences import normalize_licence
from projects.models import Project

PROJECTS = [
    {
        "name": "Consortium Blacklight catalog",
        "summary": "One Blacklight discovery layer over the catalogs of a New York library "
        "consortium, with shared facets and per-library holdings.",
        "description": "A Blacklight front end over a Solr index built nightly from the "
        "member libraries' MARC exports.\n\n"
        "- Harvests MARC with a Traject pipeline\n"
        "- Shows live availability from each library's ILS\n"
        "- Accessible, mobile-first result pages",
        "status": Project.Status.MAINTAINED,
        "institution": "Columbia University Libraries",
        "repository_url": "https://git.example.org/code4libnyc/consortium-catalog",
        "licence": "Apache-2.0",
        "technologies": ["Blacklight", "Solr", "Ruby on Rails", "Traject"],
        "areas": ["Next generation OPACs", "Federated search tools"],
        "talk": "Blacklight on top of Solr",
        "roles": ["Maintainer", "Developer"],
    },
    {
        "name": "DSpace to Islandora migration toolkit",
        "summary": "Scripts that move items, bitstreams and metadata from DSpace into "
        "Islandora on Fedora, with checksums verified at every step.",
        "description": "Exports DSpace AIPs, maps Dublin Core to MODS, and ingests "
        "into Islandora through its REST API. A dry-run mode reports what would change.",
        "status": Project.Status.ACTIVE,
        "institution": "NYU Libraries",
        "repository_url": "https://git.example.org/code4libnyc/dspace-islandora",
        "licence": "GPL-3.0-or-later",
        "technologies": ["DSpace", "Islandora", "Fedora", "Drupal", "Python"],
        "areas": ["Institutional repositories", "Digital library systems"],
        "roles": ["Lead developer", "Metadata mapping"],
    },
    {
        "name": "Solr relevancy test suite",
        "summary": "Known-item and topical searches with expected results, run against "
        "every change to the Solr configuration.",
        "description": "Librarians write test cases as a spreadsheet; the suite turns them "
        "into pytest cases and reports ranking changes before they reach the public catalog.",
        "status": Project.Status.ACTIVE,
        "institution": "New York Public Library",
        "repository_url": "https://git.example.org/code4libnyc/relevancy-tests",
        "homepage": "https://relevancy.example.org/",
        "licence": "MIT",
        "technologies": ["Solr", "Python", "Django"],
        "areas": ["Federated search tools"],
        "roles": ["Maintainer", "Test cases"],
    },
    {
        "name": "Koha course reserves plugin",
        "summary": "A Koha plugin that lets faculty request course reserves and shows "
        "reserve lists in the OPAC.",
        "description": "Packaged as a `.kpz` file; installs from the Koha plugin page.",
        "status": Project.Status.IDEA,
        "institution": "Brooklyn Public Library",
        "licence": "GPL-3.0-or-later",
        "technologies": ["Koha", "Perl"],
        "areas": ["Next generation OPACs"],
        "talk": "Koha migration",
        "roles": ["Developer"],
    },
    {
        "name": "Special collections exhibits on Drupal",
        "summary": "Online exhibits for special collections, built as a Drupal distribution.",
        "status": Project.Status.RETIRED,
        "institution": "New York Public Library",
        "licence": "GPL-2.0-or-later",
        "technologies": ["Drupal", "PHP"],
        "areas": ["Content management systems"],
        "roles": ["Site builder"],
    },
]


def load_projects(chapter: Chapter, people: list[User]) -> int:
    """Create the demo projects once, credited to `people` in turn; return how many were made."""
    if not people or Project.objects.filter(chapter=chapter).exists():
        return 0
    areas = {area.name: area for area in chapter.focus_areas.all()}
    for number, spec in enumerate(PROJECTS):
        credited = [people[(number + offset) % len(people)] for offset in range(len(spec["roles"]))]
        add_project(chapter, spec, areas, credited)
    return len(PROJECTS)


def add_project(chapter: Chapter, spec: dict, areas: dict, credited: list[User]) -> Project:
    creator = credited[0]
    fields = {
        "name": spec["name"], "summary": spec["summary"],
        "description": spec.get("description", ""), "status": spec["status"],
        "institution": spec["institution"], "repository_url": spec.get("repository_url", ""),
        "homepage": spec.get("homepage", ""), "licence": normalize_licence(spec["licence"]),
        "technologies": spec["technologies"],
        "focus_areas": [areas[name] for name in spec["areas"] if name in areas],
    }  # fmt: skip
    project = services.create_project(creator, chapter, fields)
    for user, role in zip(credited, spec["roles"], strict=True):
        services.add_contributor(creator, project, user, role)
    if "talk" in spec:
        talk = Talk.objects.filter(meeting__chapter=chapter, title__startswith=spec["talk"]).first()
        if talk is not None:
            services.link_talk(creator, project, talk)
    return project
