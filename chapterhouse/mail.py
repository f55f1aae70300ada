"""Compose and send e-mail from templates; called from tasks, never from requests."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def send_templated_mail(
    template: str, to: list[str], context: dict, reply_to: list[str] | None = None
) -> None:
    """Render `<template>.txt` (its first line is the subject) and send it."""
    subject, _, body = render_to_string(f"{template}.txt", context).strip().partition("\n")
    EmailMessage(
        subject=" ".join(subject.split()), body=body.strip() + "\n", to=to, reply_to=reply_to
    ).send()
