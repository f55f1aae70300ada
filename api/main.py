"""The JSON API at /api/: its OpenAPI description, documentation page and endpoints."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Router
from ninja.openapi.docs import DocsBase

from api import chapters, meetings, projects, stories
from api.auth import OptionalTokenAuth, TokenAuth
from api.errors import error_responses, install
from api.schemas import MeOut

DESCRIPTION = """\
Chapters, meetings, RSVPs, talks, stories and projects of this site.

Anyone may read what the site's pages show to everyone. To write, or to see what only you may
see (drafts you may read, your RSVPs), send a personal token made on the *API tokens* page of
your account: `Authorization: Bearer <token>`. A token acts with its owner's permissions, the
same as on the site's pages. Errors are JSON objects with a `detail`.
"""


class Docs(DocsBase):
    """Swagger UI from our own static files (the content security policy allows no CDN)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        swagger = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout"}
        # Inside a <script> element: no "</" may close it early.
        swagger_json = json.dumps(swagger).replace("<", "\\u003c")
        context = {"swagger_settings": swagger_json, "schema_url": swagger["url"]}
        return render(request, "api/docs.html", context)


class ChapterhouseAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The schema, with public reads marked as working with or without a token."""
        schema = super().get_openapi_schema(**kwargs)
        optional = OptionalTokenAuth.__name__
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security") == [{optional: []}]:
                    operation["security"] = [{TokenAuth.__name__: []}, {}]
        schemes = schema["components"].get("securitySchemes", {})
        if optional in schemes:
            schemes.setdefault(TokenAuth.__name__, schemes[optional])
            del schemes[optional]
        return schema


api = ChapterhouseAPI(
    title="Chapterhouse API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=Docs(),
    auth=OptionalTokenAuth(),
)
install(api)

me_router = Router(tags=["account"])


@me_router.get("/", auth=TokenAuth(), response={200: MeOut, **error_responses()}, url_name="me")
def me(request: HttpRequest):
    """Whose token this is, and their chapters."""
    user = request.auth
    memberships = user.memberships.select_related("chapter").order_by("chapter__name")
    return {
        "id": user.pk,
        "display_name": user.display_name,
        "chapters": [{"chapter": m.chapter.slug, "role": m.role} for m in memberships],
    }


api.add_router("/me", me_router)
api.add_router("/chapters", chapters.router)
api.add_router("/chapters", meetings.router)
api.add_router("/chapters", stories.router)
api.add_router("/chapters", projects.router)
