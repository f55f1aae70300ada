"""Dublin Core and citation metadata for projects: software by its contributors."""

from chapterhouse.markup import markdown_text
from stories.metadata import (
    DESCRIPTION_LIMIT,
    absolute,
    citation_meta_from,
    person,
    plain_text,
    record,
)


def dublin_core(project) -> dict[str, list[str]]:
    """A project as Dublin Core; its contributors are the creators, in their listed order."""
    people = [person(contributor.user) for contributor in project.contributors.all()]
    subjects = [tech.name for tech in project.technologies.all()]
    subjects += [area.name for area in project.focus_areas.all()]
    description = project.summary
    if project.description:
        description = (
            f"{project.summary} {plain_text(markdown_text(project.description, DESCRIPTION_LIMIT))}"
        )
    return record(
        title=[project.name],
        creator=[name for name, _orcid in people],
        creator_orcid=[orcid for _name, orcid in people],
        subject=subjects,
        description=[plain_text(description)],
        publisher=[project.chapter.name],
        contributor=[project.institution],
        date=[project.created.date().isoformat()],
        type=["Software"],
        format=["text/html"],
        identifier=[absolute(project.get_absolute_url())],
        language=["en"],
        relation=[project.repository_url, project.homepage],
        rights=[project.licence],
    )


def citation_meta(project) -> list[tuple[str, str]]:
    return citation_meta_from(dublin_core(project))
