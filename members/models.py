"""Accounts, profiles and chapter memberships."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chapterhouse.fields import URLField
from chapterhouse.prepared import PreparedQuery
from members.validators import validate_orcid

PLACEHOLDER_EMAIL = "deleted-member@placeholder.invalid"


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """Lower-case the whole address: people type it in any case and expect one account."""
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str):
        return self.get(email=self.normalize_email(username))

    def create_user(
        self, email: str, password: str | None = None, display_name: str = "", **fields
    ):
        """Create an account with its profile (every account has one)."""
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        Profile.objects.using(self._db).create(
            user=user, display_name=display_name or str(_("Member"))
        )
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, email_verified_at=timezone.now())
        fields.setdefault("display_name", str(_("Site administrator")))
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account; people log in with their e-mail address."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("May log in to the administration site.")
    )
    is_placeholder = models.BooleanField(
        _("placeholder"),
        default=False,
        editable=False,
        help_text=_("Stands in for deleted accounts so that their content keeps an author."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.is_placeholder:
            return str(_("Deleted member"))
        profile = getattr(self, "profile", None)
        return profile.display_name if profile else str(_("Member"))

    @property
    def institution(self) -> str:
        profile = getattr(self, "profile", None)
        return profile.institution if profile else ""

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


def placeholder_user() -> User:
    """The account that deleted members' content is attributed to (made on first use)."""
    user, _created = User.objects.get_or_create(
        email=PLACEHOLDER_EMAIL,
        defaults={"is_active": False, "is_placeholder": True, "password": "!"},
    )
    return user


class JobRole(models.TextChoices):
    SYSTEMS_LIBRARIAN = "systems-librarian", _("Systems librarian")
    WEB_SERVICES_LIBRARIAN = "web-services-librarian", _("Web services librarian")
    DIGITAL_LIBRARY_DEVELOPER = "digital-library-developer", _("Digital library developer")
    DIGITAL_LIBRARY_MANAGER = "digital-library-manager", _("Digital library manager")
    LIBRARY_STAFF = "library-staff", _("Other library staff")
    OTHER = "other", _("Other")


class ProfileQuerySet(models.QuerySet):
    def listed(self) -> "ProfileQuerySet":
        """Profiles whose owners chose to appear in member directories."""
        return self.filter(in_directory=True, user__is_active=True)


class Profile(models.Model):
    user = models.OneToOneField(User, models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=100)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    job_role = models.CharField(_("job role"), max_length=40, choices=JobRole.choices, blank=True)
    interests = models.ManyToManyField(
        "chapters.FocusArea", verbose_name=_("interests"), blank=True, related_name="+"
    )
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    website = URLField(_("website"), max_length=500, blank=True)
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True, validators=[validate_orcid])
    in_directory = models.BooleanField(
        _("appear in member directories"),
        default=True,
        help_text=_("Members of your chapters can see your name, institution, role and bio."),
    )

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [
            # Member directories list the listed profiles in this order, a page at a time.
            models.Index(
                fields=["display_name", "user"],
                condition=models.Q(in_directory=True),
                name="profile_directory_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    ORGANIZER = "organizer", _("Organizer")


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(user__is_active=True)

    def organizers(self) -> "MembershipQuerySet":
        """Organizers, with their profiles, in the order they joined."""
        return (
            self.active()
            .filter(role=Role.ORGANIZER)
            .select_related("user__profile")
            .order_by("joined_at", "pk")
        )

    def directory(self) -> "MembershipQuerySet":
        """Memberships to list in a member directory: active, and the member opted in."""
        return (
            self.active()
            .filter(user__profile__in_directory=True)
            .select_related("user__profile")
            .order_by("user__profile__display_name", "user_id")
        )

    def directory_entries(self) -> "MembershipQuerySet":
        """The directory as plain tuples of the columns a directory page shows: user id, role,
        display name, job role, institution and bio."""
        return self.directory().values_list(
            "user_id",
            "role",
            "user__profile__display_name",
            "user__profile__job_role",
            "user__profile__institution",
            "user__profile__bio",
        )


class Membership(models.Model):
    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "user"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.chapter}"

    @property
    def is_organizer(self) -> bool:
        return self.role == Role.ORGANIZER


class RoleChange(models.Model):
    """The record of who joined, left, was promoted or removed, and by whom."""

    class Action(models.TextChoices):
        JOINED = "joined", _("joined")
        LEFT = "left", _("left")
        PROMOTED = "promoted", _("made organizer")
        DEMOTED = "demoted", _("made member")
        REMOVED = "removed", _("removed")

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="role_changes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET(placeholder_user), related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET(placeholder_user), related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")

    def __str__(self) -> str:
        return f"{self.member} {self.get_action_display()} ({self.chapter})"


class ContactMessage(models.Model):
    """A message to a chapter's organizers, relayed by e-mail with the sender as reply-to."""

    chapter = models.ForeignKey("chapters.Chapter", models.CASCADE, related_name="contact_messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("your name"), max_length=100)
    email = models.EmailField(_("your e-mail address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    relayed_at = models.DateTimeField(_("relayed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self) -> str:
        return self.subject


class LoginThrottle(models.Model):
    """Failed log-ins for one e-mail address, and the lock they led to (see members/lockout.py)."""

    # A keyed hash of the address typed, so that addresses of no account are never stored.
    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("log-in throttle")
        verbose_name_plural = _("log-in throttles")

    def __str__(self) -> str:
        return f"{self.key[:12]}: {self.failures}"


# Reads most chapter pages make, compiled once (chapterhouse/prepared.py).
membership_in = PreparedQuery(
    lambda chapter, user: Membership.objects.filter(chapter_id=chapter, user_id=user)[:1],
    chapter=int,
    user=int,
)
directory_entries_of = PreparedQuery(
    lambda chapter: Membership.objects.filter(chapter_id=chapter).directory_entries(), chapter=int
)
