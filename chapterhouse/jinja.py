"""The Jinja2 environment behind every page: URL reversing, static files, i18n, Markdown."""

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from jinja2 import Environment, StrictUndefined, Undefined, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup

from chapterhouse.markup import render_markdown


def url(name: str, *args, **kwargs) -> str:
    """Reverse a URL name, as `{% url %}` does in Django templates.

    An address without arguments depends only on the URL configuration and the
    script prefix, so it is reversed once for each; every page's header and footer
    ask for a dozen of them.
    """
    if args or kwargs:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    key = (name, get_urlconf(), get_script_prefix())
    found = _FIXED_URLS.get(key)
    if found is None:
        found = _FIXED_URLS[key] = reverse(name)
    return found


_FIXED_URLS: dict[tuple, str] = {}


@cache
def static_url(path: str) -> str:
    """The address of a static file, as `{% static %}` gives it, found once a path.

    The storage's answer for a name does not change while a process runs: in
    production it comes from collectstatic's manifest, read as the process starts.
    """
    return static(path)


@receiver(setting_changed)
def _forget_addresses(setting: str, **kwargs) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _FIXED_URLS.clear()
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT"}:
        static_url.cache_clear()


def translations(request: HttpRequest) -> dict:
    """Context processor: `_()` for the language of the page being rendered.

    It gives what the i18n extension's `_()` gives (newstyle: the translation,
    marked safe where the template escapes, then formatted with its escaped
    arguments), but finds each message's translation once a process, where the
    extension asks Django's catalogs on every call, a dozen times a page.
    """
    return {"_": _gettext_for(translation.get_language())}


@cache
def _gettext_for(language: str | None):
    found: dict[tuple[str, bool], tuple[str, str | None]] = {}

    @pass_eval_context
    def gettext(eval_context: EvalContext, message: str, /, **variables) -> str:
        key = (message, eval_context.autoescape)
        kept = found.get(key)
        if kept is None:
            with translation.override(language):
                text = translation.gettext(message)
            if eval_context.autoescape:
                text = Markup(text)  # noqa: S704 - the template's own message, as the extension marks it
            try:
                plain = text % {}  # as the extension does, "%%" reads as "%"
            except (KeyError, TypeError, ValueError):
                plain = None  # a message that needs its arguments
            kept = found[key] = (text, plain)
        text, plain = kept
        return text % variables if variables or plain is None else plain

    return gettext


def absolute_url(path: str) -> str:
    """Make a site-relative path absolute with the configured site URL."""
    return settings.SITE_URL + path


def date_filter(value, format_name: str = "DATE_FORMAT", zone: str = "") -> str:
    """Format a date or datetime in the locale, in `zone` if given, else the current time zone.

    Pages that list several chapters' meetings pass each chapter's zone.
    """
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        try:
            value = timezone.localtime(value, ZoneInfo(zone) if zone else None)
        except (ValueError, ZoneInfoNotFoundError):
            value = timezone.localtime(value)
    return formats.date_format(value, format_name)


def field_describedby(field) -> str:
    """The ids of a form field's help text and errors, for aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


def environment(**options) -> Environment:
    """Build the environment; Django's Jinja2 backend calls this once."""
    options.setdefault("undefined", StrictUndefined if settings.DEBUG else Undefined)
    # Plain-text mail must not be HTML-escaped; everything else is.
    options.pop("autoescape", None)
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(
            disabled_extensions=("txt",), default=True, default_for_string=True
        ),
        **options,
    )
    env.install_gettext_translations(translation, newstyle=True)
    env.globals.update(
        url=url,
        static=static_url,
        absolute_url=absolute_url,
        get_messages=get_messages,
        field_describedby=field_describedby,
        site_name=settings.SITE_NAME,
        now=timezone.now,
    )
    env.filters.update(markdown=render_markdown, date=date_filter)
    return env
