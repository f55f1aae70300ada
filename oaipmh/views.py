"""The /oai endpoint: GET and form-encoded POST both carry the same arguments."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oaipmh.protocol import respond


@csrf_exempt  # Harvesters POST without a session; the endpoint only reads.
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    arguments = request.POST if request.method == "POST" else request.GET
    body = respond(list(arguments.lists()))
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
