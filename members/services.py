"""Writes for accounts and memberships. Views, admin and commands all come through here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse import ratelimit
from chapterhouse.tasks import enqueue_on_commit
from chapters.models import Chapter
from members import tasks
from members.models import ContactMessage, Membership, Profile, Role, RoleChange, User
from members.tokens import CHANGE_SALT, VERIFY_SALT, read_token


def duplicate_email_error() -> ValidationError:
    return ValidationError(
        {"email": _("An account with this e-mail address already exists.")}, code="duplicate"
    )


def email_taken(email: str, exclude: User | None = None) -> bool:
    """Whether another account already uses this address (in any letter case)."""
    others = User.objects.filter(email__iexact=User.objects.normalize_email(email))
    return others.exclude(pk=exclude.pk).exists() if exclude else others.exists()


@transaction.atomic
def sign_up(
    *,
    email: str,
    password: str,
    display_name: str,
    in_directory: bool = True,
    chapter: Chapter | None = None,
) -> User:
    """Create an unverified account and its profile, and e-mail a verification link."""
    if email_taken(email):
        raise duplicate_email_error()
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, display_name=display_name)
    except IntegrityError as error:  # someone signed up with the same address just now
        raise duplicate_email_error() from error
    Profile.objects.filter(user=user).update(in_directory=in_directory)
    enqueue_on_commit(tasks.send_verification_email, user.pk, chapter.slug if chapter else "")
    return user


def resend_verification(email: str) -> None:
    """E-mail a new verification link if an unverified account has this address."""
    user = User.objects.filter(
        email=User.objects.normalize_email(email), email_verified_at=None, is_active=True
    ).first()
    if user:
        enqueue_on_commit(tasks.send_verification_email, user.pk, "")


@transaction.atomic
def verify_email(token: str) -> tuple[User, Chapter | None]:
    """Mark the address in a verification token as verified; join the chapter it names."""
    payload = read_token(token, VERIFY_SALT)
    user = payload and User.objects.filter(pk=payload["u"], is_active=True).first()
    if not user or user.email != payload["e"]:
        raise ValidationError(_("This link is invalid or has expired."), code="bad_token")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    chapter = Chapter.objects.filter(slug=payload.get("c") or "").first()
    if chapter:
        join_chapter(user, chapter)
    return user, chapter


def request_email_change(user: User, new_email: str) -> None:
    """E-mail a confirmation link to the new address; the account keeps the old one until then.

    A member may ask for only a few such mails an hour (ratelimit.RateLimited past that).
    """
    new_email = User.objects.normalize_email(new_email)
    if email_taken(new_email, exclude=user):
        raise duplicate_email_error()
    if new_email == user.email:
        raise ValidationError({"email": _("This is already your e-mail address.")}, code="same")
    ratelimit.charge("email-change:account", user.pk)
    enqueue_on_commit(tasks.send_email_change_email, user.pk, new_email)


@transaction.atomic
def confirm_email_change(token: str) -> User:
    """Switch the account to the address the token was sent to, and tell the old address."""
    payload = read_token(token, CHANGE_SALT)
    user = payload and User.objects.select_for_update().filter(pk=payload["u"]).first()
    if not user or user.email != payload["old"]:
        raise ValidationError(_("This link is invalid or has expired."), code="bad_token")
    if email_taken(payload["new"], exclude=user):
        raise ValidationError(_("Another account now uses that address."), code="duplicate")
    user.email, user.email_verified_at = payload["new"], timezone.now()
    user.save(update_fields=["email", "email_verified_at"])
    enqueue_on_commit(tasks.send_email_changed_notice, payload["old"], payload["new"])
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link if an active account has this address; say nothing either way."""
    user = User.objects.filter(
        email=User.objects.normalize_email(email), is_active=True, is_placeholder=False
    ).first()
    if user and user.has_usable_password():
        enqueue_on_commit(tasks.send_password_reset_email, user.pk)


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete an account; what the member wrote stays, attributed to a placeholder."""
    for membership in user.memberships.select_related("chapter"):
        _lock_chapter(membership.chapter)
        if membership.is_organizer and _organizer_count(membership.chapter) == 1:
            raise ValidationError(
                _(
                    "You are the only organizer of %(chapter)s: "
                    "make another member an organizer first."
                )
                % {"chapter": membership.chapter.name},
                code="last_organizer",
            )
    user.delete()


def _lock_chapter(chapter: Chapter) -> None:
    """Serialize membership changes in a chapter, so two organizers cannot both step down."""
    Chapter.objects.select_for_update().filter(pk=chapter.pk).first()


def _organizer_count(chapter: Chapter) -> int:
    return chapter.memberships.active().filter(role=Role.ORGANIZER).count()


def is_member(user: User, chapter: Chapter) -> bool:
    """Whether the user belongs to the chapter (with an active account)."""
    if not user.is_authenticated:
        return False
    return chapter.memberships.active().filter(user=user).exists()


def is_organizer(user: User, chapter: Chapter) -> bool:
    """Whether the user organizes the chapter."""
    if not user.is_authenticated:
        return False
    return chapter.memberships.filter(user=user, role=Role.ORGANIZER).exists()


@transaction.atomic
def join_chapter(user: User, chapter: Chapter) -> Membership:
    """Make the user a member of the chapter (doing nothing if they already are)."""
    if not user.is_verified:
        raise ValidationError(_("Confirm your e-mail address before joining."), code="unverified")
    membership, created = Membership.objects.get_or_create(chapter=chapter, user=user)
    if created:
        RoleChange.objects.create(
            chapter=chapter, member=user, actor=user, action=RoleChange.Action.JOINED
        )
    return membership


@transaction.atomic
def leave_chapter(user: User, chapter: Chapter) -> None:
    """End the user's membership; the last organizer cannot leave."""
    _lock_chapter(chapter)
    membership = chapter.memberships.filter(user=user).first()
    if membership is None:
        return
    if membership.is_organizer and _organizer_count(chapter) == 1:
        raise ValidationError(
            _("You are the only organizer: make another member an organizer before you leave."),
            code="last_organizer",
        )
    membership.delete()
    RoleChange.objects.create(
        chapter=chapter, member=user, actor=user, action=RoleChange.Action.LEFT
    )


def require_organizer(actor: User, chapter: Chapter) -> None:
    """Refuse (PermissionDenied) anyone who does not organize the chapter."""
    if not (actor.is_superuser or is_organizer(actor, chapter)):
        raise PermissionDenied(_("Only the chapter's organizers can do this."))


@transaction.atomic
def change_role(actor: User, membership: Membership, role: str) -> Membership:
    """Promote a member to organizer or make an organizer a member again."""
    require_organizer(actor, membership.chapter)
    _lock_chapter(membership.chapter)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    if membership.role == role:
        return membership
    if role == Role.MEMBER and _organizer_count(membership.chapter) == 1:
        raise ValidationError(_("A chapter needs at least one organizer."), code="last_organizer")
    membership.role = role
    membership.save(update_fields=["role"])
    action = RoleChange.Action.PROMOTED if role == Role.ORGANIZER else RoleChange.Action.DEMOTED
    RoleChange.objects.create(
        chapter=membership.chapter, member=membership.user, actor=actor, action=action
    )
    return membership


@transaction.atomic
def remove_member(actor: User, membership: Membership) -> None:
    """Remove someone else from the chapter."""
    require_organizer(actor, membership.chapter)
    if membership.user_id == actor.pk:
        raise ValidationError(_("To leave the chapter yourself, use Leave."), code="self")
    membership.delete()
    RoleChange.objects.create(
        chapter=membership.chapter,
        member=membership.user,
        actor=actor,
        action=RoleChange.Action.REMOVED,
    )


@transaction.atomic
def contact_organizers(
    chapter: Chapter,
    *,
    sender: User | None,
    address: str,
    name: str,
    email: str,
    subject: str,
    body: str,
) -> ContactMessage:
    """Keep a message to the organizers and relay it to them by e-mail.

    Anyone may write, so each client `address` may send only a few an hour.
    """
    ratelimit.charge("contact:address", address)
    message = ContactMessage.objects.create(
        chapter=chapter,
        sender=sender if sender and sender.is_authenticated else None,
        name=name,
        email=email,
        subject=subject,
        body=body,
    )
    enqueue_on_commit(tasks.relay_contact_message, message.pk)
    return message


def mark_relayed(message: ContactMessage) -> None:
    """Record that a contact message reached the organizers."""
    ContactMessage.objects.filter(pk=message.pk).update(relayed_at=timezone.now())


def profile_for(user: User) -> Profile:
    """The user's profile, made on first use for accounts created without one."""
    profile, _created = Profile.objects.get_or_create(
        user=user, defaults={"display_name": user.display_name}
    )
    return profile


@transaction.atomic
def update_profile(profile: Profile, fields: dict) -> Profile:
    """Save a member's edited profile; `fields` are a ProfileForm's cleaned data."""
    interests = fields.pop("interests", None)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if interests is not None:
        profile.interests.set(interests)
    return profile
