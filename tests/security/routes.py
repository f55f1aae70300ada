"""Every route of the URL configuration, and concrete URLs for them built from the world's objects.

Routes are named as `reverse()` knows them ("meetings:detail"); an unnamed route is named by
its full pattern. The admin counts as one route, "admin", at its index.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

ADMIN = "admin"
ADMIN_PREFIX = "admin/"


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str  # the full pattern, e.g. "chapters/<slug:slug>/meetings/<id:pk>/"
    parameters: tuple[str, ...]
    view: object


def _walk(resolver: URLResolver, prefix: str, namespace: str):
    for entry in resolver.url_patterns:
        pattern = prefix + _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            if pattern == ADMIN_PREFIX:
                yield Route(ADMIN, pattern, (), None)
                continue
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            name = pattern
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name, pattern, _parameters(pattern), entry.callback)


def _piece(pattern) -> str:
    """A pattern as text; a regular expression loses its anchors and keeps its named groups."""
    if isinstance(pattern, RegexPattern):
        return str(pattern).removeprefix("^").removesuffix("$").removesuffix("\\Z")
    return str(pattern)


def _parameters(pattern: str) -> tuple[str, ...]:
    """The path parameters a route takes, in the order they appear."""
    return tuple(re.findall(r"<(?:[^>:]+:)?([^>]+)>", pattern))


def all_routes() -> dict[str, Route]:
    """Every route by name (or, unnamed, by pattern).

    Django serves an address by the first pattern that matches it, so a pattern repeated
    later (the API names each operation on one path) is reached under its first name only.
    """
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver(), "", ""):
        if all(known.pattern != route.pattern for known in routes.values()):
            routes[route.name if route.name not in routes else route.pattern] = route
    return routes


def fill(route: Route, values: dict[str, object]) -> str:
    """The route's URL, each parameter taken from `values`.

    A value is used as it is, or is a dict choosing by route name, then by namespace.
    """
    if route.name == ADMIN:
        return "/" + ADMIN_PREFIX
    path = route.pattern
    namespace = route.name.rpartition(":")[0]
    for parameter in route.parameters:
        value = values[parameter]
        if isinstance(value, dict):
            value = value[route.name] if route.name in value else value[namespace]
        path = _substitute(path, parameter, str(value))
    return "/" + path


def _substitute(path: str, parameter: str, value: str) -> str:
    group = r"\(\?P<" + re.escape(parameter) + r">[^)]*\)"
    converter = r"<(?:[^>:]+:)?" + re.escape(parameter) + ">"
    return re.sub(f"{group}|{converter}", lambda _match: value, path, count=1)
