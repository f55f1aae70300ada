"""Compose and send e-mail from templates; called from tasks, never from requests."""

import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formataddr
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from chapterhouse.models import SentMail
from chapterhouse.unsubscribe import unsubscribe_url

# Failures after which the message may or may not have reached the server.
UNCERTAIN_FAILURES = (smtplib.SMTPServerDisconnected, TimeoutError)


@dataclass(frozen=True)
class Recipient:
    """Who gets one message: `key` tells them apart within a mailing (e.g. `user:5`)."""

    key: str
    email: str
    user: object = None


# (filename, content, MIME type), e.g. ("meeting.ics", b"...", "text/calendar; method=PUBLISH")
Attachment = tuple[str, bytes, str]


def render_subject_and_body(template: str, context: dict) -> tuple[str, str]:
    """Render `<template>.txt`: its first line is the subject, the rest the body."""
    subject, _, body = render_to_string(f"{template}.txt", context).strip().partition("\n")
    return " ".join(subject.split()), body.strip() + "\n"


def send_templated_mail(
    template: str, to: list[str], context: dict, reply_to: list[str] | None = None
) -> None:
    """Render `<template>.txt` (its first line is the subject) and send it."""
    subject, body = render_subject_and_body(template, context)
    EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to).send()


def list_headers(to: str, list_key: str, list_name: str) -> dict[str, str]:
    """List-Id and one-click List-Unsubscribe (RFC 2919, RFC 8058) for one recipient."""
    # A List-Id is a domain-like name: the list key's words under the site's host name.
    words = list_key.replace(":", ".").replace("_", "-")
    host = urlsplit(settings.SITE_URL).hostname
    return {
        "List-Id": formataddr((list_name, f"{words}.{host}")),
        "List-Unsubscribe": f"<{unsubscribe_url(to, list_key)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def build_mail(
    template: str,
    to: str,
    context: dict,
    *,
    list_key: str = "",
    list_name: str = "",
    attachments: Iterable[Attachment] = (),
    reply_to: list[str] | None = None,
) -> EmailMultiAlternatives:
    """A text message with an HTML alternative, from `<template>.txt` and `<template>.html`.

    With a `list_key`, it carries List-Id and one-click List-Unsubscribe headers, and the
    templates get `unsubscribe_url` for a visible link.
    """
    headers = list_headers(to, list_key, list_name) if list_key else {}
    if list_key:
        context = {**context, "unsubscribe_url": unsubscribe_url(to, list_key)}
    subject, body = render_subject_and_body(template, context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=[to], reply_to=reply_to, headers=headers
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_once(key: str, to: str, compose: Callable[[], EmailMessage], connection=None) -> bool:
    """Send the message `compose()` builds unless `key` was claimed before; True if sent now."""
    claim = SentMail.objects.claim(key, to)
    if claim is None:
        return False
    try:
        message = compose()
        message.connection = connection
        message.send()
    except Exception as error:
        # Refused or never built, it did not leave: free the key so a rerun sends it.
        # A dropped connection or a timeout may come after the server took it: keep the claim.
        if not isinstance(error, UNCERTAIN_FAILURES):
            claim.delete()
        raise
    claim.mark_sent()
    return True


def send_each(
    prefix: str, recipients: Iterable[Recipient], compose: Callable[[Recipient], EmailMessage]
) -> int:
    """Send each recipient its message, keyed `<prefix>:<recipient key>`, once; count those sent."""
    keyed = {f"{prefix}:{recipient.key}": recipient for recipient in recipients}
    done = set(SentMail.objects.filter(key__in=keyed).values_list("key", flat=True))
    pending = {key: recipient for key, recipient in keyed.items() if key not in done}
    if not pending:
        return 0
    # One SMTP connection for the whole mailing, not one per message.
    with get_connection() as connection:
        return sum(
            send_once(key, recipient.email, partial(compose, recipient), connection)
            for key, recipient in pending.items()
        )
