import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()


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
