"""The Jinja2 environment's helpers give what Django's own would, found once."""

from django.template import engines
from django.templatetags.static import static
from django.test import RequestFactory
from django.utils import translation

from chapterhouse.jinja import _gettext_for, static_url

JINJA = engines["jinja2"]


def render_page(source: str, **context) -> str:
    """Render as a page is rendered: through the backend, with the request's context processors."""
    return JINJA.from_string(source).render(context, request=RequestFactory().get("/"))


def test_a_page_gets_the_translation_of_its_own_language(settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    source = '{{ _("Log out") }}'
    assert render_page(source) == "Log out"
    with translation.override("fr"):
        assert render_page(source) == "Déconnexion"  # Django's admin catalog has it
    with translation.override("de"):
        assert render_page(source) == "Abmelden"
    assert render_page(source) == "Log out"


def test_arguments_are_escaped_and_percent_signs_read_as_the_extension_reads_them():
    hello = '{{ _("Hello %(name)s", name=who) }}'
    assert render_page(hello, who="<b>Ada</b>") == "Hello &lt;b&gt;Ada&lt;/b&gt;"
    assert render_page(hello, who="Grace") == "Hello Grace"
    assert render_page('{{ _("100%% sure") }}') == "100% sure"
    # The message itself is the template's own markup, as with the extension.
    assert render_page('{{ _("Tom & Jerry") }}') == "Tom & Jerry"
    assert render_page('{{ _("<i>%(n)s</i>", n=1) }}') == "<i>1</i>"


def test_plain_text_is_not_escaped():
    env = JINJA.env.overlay(autoescape=False)
    template = env.from_string('{{ _("Hello %(name)s", name=who) }}')
    assert template.render(_=_gettext_for("en"), who="<b>Ada</b>") == "Hello <b>Ada</b>"


def test_the_same_translation_as_the_extension_gives(settings):
    """Every page's header and footer, rendered with the context processor and without."""
    source = '{{ _("Search") }}|{{ _("Log in") }}|{{ _("Page %(number)d", number=3) }}'
    with translation.override("fr"):
        own = render_page(source)
        extension = JINJA.env.from_string(source).render()
    assert own == extension
    assert own.startswith("Rechercher|")


def test_static_addresses_are_the_storage_s_own():
    assert static_url("css/chapterhouse.css") == static("css/chapterhouse.css")
    assert static_url("css/chapterhouse.css") is static_url("css/chapterhouse.css")


def test_static_addresses_follow_a_changed_setting(settings):
    before = static_url("favicon.svg")
    settings.STATIC_URL = "/elsewhere/"
    assert static_url("favicon.svg") == "/elsewhere/favicon.svg" != before
