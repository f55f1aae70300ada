"""Mail about accounts and chapters, sent by the worker. Each task takes ids and may be rerun."""

from email.utils import formataddr

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from chapterhouse.mail import send_templated_mail
from members.models import ContactMessage, Role, User
from members.tokens import make_email_change_token, make_verification_token


def site_url(path: str) -> str:
    return settings.SITE_URL + path


@task()
def send_verification_email(user_id: int, chapter_slug: str) -> None:
    """E-mail a link that verifies the account's address (and joins the chapter it names)."""
    user = User.objects.filter(pk=user_id, email_verified_at=None, is_active=True).first()
    if user is None:
        return
    token = make_verification_token(user, chapter_slug)
    link = site_url(reverse("members:verify", args=[token]))
    send_templated_mail("members/email/verify", [user.email], {"user": user, "link": link})


@task()
def send_email_change_email(user_id: int, new_email: str) -> None:
    """E-mail the new address a link that confirms the change."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    token = make_email_change_token(user, new_email)
    link = site_url(reverse("members:confirm_email_change", args=[token]))
    send_templated_mail("members/email/change_email", [new_email], {"user": user, "link": link})


@task()
def send_email_changed_notice(old_email: str, new_email: str) -> None:
    """Tell the old address that the account now uses another one."""
    context = {"new_email": new_email, "reset_link": site_url(reverse("members:password_reset"))}
    send_templated_mail("members/email/email_changed", [old_email], context)


@task()
def send_password_reset_email(user_id: int) -> None:
    """E-mail a link to choose a new password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    path = reverse(
        "members:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    send_templated_mail("members/email/password_reset", [user.email], {"link": site_url(path)})


@task()
def relay_contact_message(message_id: int) -> None:
    """Forward a contact message to the chapter's organizers, with the sender as reply-to."""
    message = ContactMessage.objects.select_related("chapter").filter(pk=message_id).first()
    if message is None or message.relayed_at is not None:
        return
    organizers = message.chapter.memberships.active().filter(role=Role.ORGANIZER)
    recipients = sorted(organizers.values_list("user__email", flat=True))
    if recipients:
        context = {"message": message, "chapter_url": site_url(message.chapter.get_absolute_url())}
        send_templated_mail(
            "members/email/contact",
            recipients,
            context,
            reply_to=[formataddr((message.name, message.email))],
        )
    ContactMessage.objects.filter(pk=message.pk).update(relayed_at=timezone.now())
