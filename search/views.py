"""Search pages: results as HTML and JSON, and the OpenSearch description browsers read."""

import math
from urllib.parse import urlencode
from xml.etree import ElementTree

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from chapters.models import Chapter
from search import services
from search.engine import Results
from search.forms import KIND_LABELS, MAX_PAGE, SearchForm

FACET_LABELS = {
    "kind": gettext_lazy("Kind"),
    "chapter": gettext_lazy("Chapter"),
    "focus_area": gettext_lazy("Focus area"),
    "category": gettext_lazy("Category"),
    "year": gettext_lazy("Year"),
    "remote": gettext_lazy("From other sites"),
}
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"


def run(request: HttpRequest, form: SearchForm) -> Results:
    """The results for a valid form; no words means no search, and no error either."""
    if not form.query():
        return Results()
    return services.search(request.user, form.query(), form.filters(), form.page_number())


def address(params: dict[str, str], **changes) -> str:
    """A shareable results address: these parameters with `changes`, empty ones left out."""
    merged = {**params, **changes}
    return "?" + urlencode({name: value for name, value in merged.items() if value})


def chosen(form: SearchForm) -> dict[str, str]:
    """The words and filters of the current search, without the page."""
    return {"q": form.query(), **form.filters()}


def value_label(name: str, value: str, chapter_names: dict[str, str]) -> str:
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "chapter":
        return chapter_names.get(value, value)
    if name == "remote":
        return _("Only from other sites")
    return value


def facet_groups(form: SearchForm, facets: dict, chapter_names: dict[str, str]) -> list[dict]:
    """Each facet's values with their counts, as links that add or remove that filter."""
    current, groups = chosen(form), []
    for name, values in facets.items():
        items = []
        for value, count in values:
            selected = current.get(name) == value
            items.append(
                {
                    "label": value_label(name, value, chapter_names),
                    "count": count,
                    "selected": selected,
                    "url": address(current, **{name: "" if selected else value}),
                }
            )
        if items:
            groups.append({"name": name, "label": FACET_LABELS[name], "items": items})
    return groups


def active_filters(form: SearchForm, chapter_names: dict[str, str]) -> list[dict]:
    """The filters in force, each with a link that drops it."""
    current = chosen(form)
    return [
        {
            "label": FACET_LABELS[name],
            "value": value_label(name, value, chapter_names),
            "url": address(current, **{name: ""}),
        }
        for name, value in form.filters().items()
    ]


def names_of_chapters(form: SearchForm, results: Results) -> dict[str, str]:
    """Chapter names for the chapter facet and filter, which carry slugs; one query."""
    slugs = {value for value, _count in results.facets.get("chapter", [])}
    slugs.update(filter(None, [form.filters().get("chapter")]))
    if not slugs:
        return {}
    return dict(Chapter.objects.filter(slug__in=slugs).values_list("slug", "name"))


def pagination(form: SearchForm, results: Results) -> dict:
    pages = min(math.ceil(results.total / services.PER_PAGE), MAX_PAGE)
    page, current = form.page_number(), chosen(form)
    return {
        "page": page,
        "pages": pages,
        "previous": address(current, page=str(page - 1)) if page > 1 else "",
        "next": address(current, page=str(page + 1)) if page < pages else "",
    }


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "error": form.first_error()}
        return render(request, "search/results.html", context, status=400)
    found = run(request, form)
    chapter_names = names_of_chapters(form, found)
    context = {
        "form": form,
        "error": "",
        "query": form.query(),
        "results": found,
        "kind_labels": KIND_LABELS,
        "facets": facet_groups(form, found.facets, chapter_names),
        "filters": active_filters(form, chapter_names),
        "chapter_name": chapter_names.get(form.filters().get("chapter", ""), ""),
        "pagination": pagination(form, found),
    }
    return render(request, "search/results.html", context)


def hit_json(hit) -> dict:
    return {
        "kind": hit.kind,
        "title": hit.title,
        "url": hit.url,
        "date": hit.date.isoformat(),
        "chapter": hit.chapter,
        "remote": hit.remote,
        "snippet": str(hit.snippet),
    }


@require_GET
def results_json(request: HttpRequest) -> JsonResponse:
    """The same search for programs; the snippet is HTML with the matches in <mark>."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.first_error()}, status=400)
    found = run(request, form)
    return JsonResponse(
        {
            "query": form.query(),
            "total": found.total,
            "page": form.page_number(),
            "results": [hit_json(hit) for hit in found.hits],
            "facets": {
                name: [list(pair) for pair in values] for name, values in found.facets.items()
            },
            "message": str(found.message),
        }
    )


def opensearch_document() -> bytes:
    """An OpenSearch 1.1 description: the site's name and its two result URL templates."""
    ElementTree.register_namespace("", OPENSEARCH_NS)
    root = ElementTree.Element(f"{{{OPENSEARCH_NS}}}OpenSearchDescription")
    texts = {
        "ShortName": settings.SITE_NAME[:16],
        "Description": _("Search %(site)s") % {"site": settings.SITE_NAME},
        "InputEncoding": "UTF-8",
        "OutputEncoding": "UTF-8",
    }
    for tag, text in texts.items():
        ElementTree.SubElement(root, f"{{{OPENSEARCH_NS}}}{tag}").text = text
    base = settings.SITE_URL
    templates = {
        "text/html": reverse("search:results"),
        "application/json": reverse("search:json"),
    }
    for media_type, path in templates.items():
        ElementTree.SubElement(
            root,
            f"{{{OPENSEARCH_NS}}}Url",
            type=media_type,
            template=f"{base}{path}?q={{searchTerms}}&page={{startPage?}}",
        )
    ElementTree.SubElement(
        root,
        f"{{{OPENSEARCH_NS}}}Url",
        type="application/opensearchdescription+xml",
        rel="self",
        template=base + reverse("search:opensearch"),
    )
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


@require_GET
def opensearch(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        opensearch_document(), content_type="application/opensearchdescription+xml; charset=utf-8"
    )
