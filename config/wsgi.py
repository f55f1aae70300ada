import os

from django.core.wsgi import get_wsgi_application
from django.urls import resolve, reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# Django reads the URL configuration, importing every view, on a process's first
# request, and builds its reverse lookup on the first reverse(): about 0.3 s in
# which that worker answers nobody. Do both while the worker starts instead.
resolve("/")
reverse("home")


def application(environ, start_response):
    """Django's WSGI application, handing the server a page's body in one piece.

    Django answers with the response object, which a server iterates; granian then
    moves between Rust and Python for each chunk. A page already in memory is
    given as a one-item list instead (after closing the response, as a server
    would, which ends the request for Django). Streamed answers and files are
    passed on as they are.
    """
    response = django_application(environ, start_response)
    if getattr(response, "streaming", True):
        return response
    try:
        return [response.content]
    finally:
        response.close()
