"""The members' API token page, and the API's index and catch-all answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import services
from api.forms import TokenForm
from api.reading import absolute


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The member's tokens; a new one is shown once, in the answer to the form that made it."""
    form = TokenForm(request.POST or None)
    if form.is_valid():
        try:
            token, text = services.create_token(request.user, form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "api/token_created.html", {"token": token, "text": text})
    context = {
        "form": form,
        "tokens": request.user.api_tokens.filter(revoked=None),
        "docs_url": reverse("api:openapi-view"),
    }
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token: int) -> HttpResponse:
    revoked = services.revoke_token(request.user, token)
    if revoked is not None:
        messages.success(request, _("The token %(name)s is revoked.") % {"name": revoked.name})
    else:
        messages.error(request, _("You have no such token, or it was already revoked."))
    return redirect("api_tokens:list")


@require_GET
def index(request: HttpRequest) -> JsonResponse:
    """Where to start: the documentation, the schema, the list of chapters."""
    return JsonResponse({
        "docs": absolute(reverse("api:openapi-view")),
        "openapi": absolute(reverse("api:openapi-json")),
        "chapters": absolute(reverse("api:chapters")),
    })  # fmt: skip


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Addresses under /api/ that name nothing get a JSON answer, like the rest of the API."""
    return JsonResponse({"detail": _("The API has no such address.")}, status=404)
