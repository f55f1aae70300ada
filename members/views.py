"""Account pages: sign-up, verification, log-in, password and e-mail changes, profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chapterhouse import ratelimit
from chapterhouse.ratelimit import RateLimited, client_address, email_subject
from chapters.models import Chapter
from members import export, lockout, services
from members.forms import (
    DeleteAccountForm,
    EmailChangeForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    SignUpForm,
)
from members.models import Membership, User
from projects.services import projects_of

BACKEND = settings.AUTHENTICATION_BACKENDS[0]


def refused(request: HttpRequest, template: str, form, refusal: RateLimited, name: str = "form"):
    """The form again, with the refusal above it, as a 429."""
    form.add_error(None, refusal.message)
    return ratelimit.mark_refused(render(request, template, {name: form}), refusal)


def charge_mail_request(request: HttpRequest, kind: str, form: EmailForm) -> None:
    """Count a request for a mail: against the client, and against the address it goes to."""
    ratelimit.charge(f"{kind}:address", client_address(request))
    if form.is_valid():
        ratelimit.charge(f"{kind}:email", email_subject(form.cleaned_data["email"]))


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None, initial={"chapter": request.GET.get("chapter")})
    if request.method == "POST":
        # Every attempt counts, valid or not: the form says whether an address has an account.
        try:
            ratelimit.charge("signup:address", client_address(request))
        except RateLimited as refusal:
            return refused(request, "members/signup.html", form, refusal)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_up(
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                in_directory=data["in_directory"],
                chapter=data["chapter"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "members/signup_done.html", {"email": data["email"]})
    return render(
        request, "members/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm with a button, so mail scanners that follow links verify nothing."""
    if request.method == "POST":
        try:
            user, chapter = services.verify_email(token)
        except ValidationError:
            return render(request, "members/bad_link.html", status=400)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
        if chapter:
            messages.success(request, _("You are now a member of %s.") % chapter.name)
            return redirect(chapter)
        return redirect("members:profile")
    return render(request, "members/verify.html", {"token": token})


@require_http_methods(["GET", "POST"])
def resend_verification(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    template = "members/resend_verification.html"
    if request.method == "POST":
        try:
            charge_mail_request(request, "verification", form)
        except RateLimited as refusal:
            return refused(request, template, form, refusal)
    if form.is_valid():
        services.resend_verification(form.cleaned_data["email"])
        return render(request, "members/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, template, {"form": form})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "members/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        return ratelimit.mark_refused(response, form.refusal) if form.refusal else response


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        try:
            charge_mail_request(request, "password-reset", form)
        except RateLimited as refusal:
            return refused(request, "members/password_reset.html", form, refusal)
    if form.is_valid():
        services.request_password_reset(form.cleaned_data["email"])
        return render(
            request, "members/password_reset_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "members/password_reset.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "members/password_reset_confirm.html"
    success_url = reverse_lazy("members:login")
    post_reset_login = False

    def form_valid(self, form):
        # Holding the mailbox proves the owner: a lockout must not keep them out.
        lockout.clear(form.user.email)
        messages.success(self.request, _("Your password is changed. Log in with it now."))
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "members/password_change.html"
    success_url = reverse_lazy("members:settings")

    def form_valid(self, form):
        messages.success(self.request, _("Your password is changed."))
        return super().form_valid(form)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST or None)
    if form.is_valid():
        try:
            services.request_email_change(request.user, form.cleaned_data["email"])
        except RateLimited as refusal:
            return refused(request, "members/settings.html", form, refusal, "email_form")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("We sent a link to %s. Your address changes when you follow it.")
                % form.cleaned_data["email"],
            )
            return redirect("members:settings")
    status = 400 if form.errors else 200
    return render(request, "members/settings.html", {"email_form": form}, status=status)


@require_http_methods(["GET", "POST"])
def confirm_email_change(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            user = services.confirm_email_change(token)
        except ValidationError as error:
            return render(
                request, "members/bad_link.html", {"reason": error.messages[0]}, status=400
            )
        if request.user.is_authenticated and request.user.pk == user.pk:
            update_session_auth_hash(request, user)
        messages.success(request, _("Your e-mail address is now %s.") % user.email)
        return redirect("members:settings" if request.user.is_authenticated else "members:login")
    return render(request, "members/confirm_email_change.html", {"token": token})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    if form.is_valid():
        try:
            services.delete_account(request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your account is deleted. Thank you for taking part."))
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "members/delete_account.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def export_data(request: HttpRequest) -> HttpResponse:
    """What the download holds, and a button; the POST answers with the member's data as JSON."""
    if request.method == "GET":
        return render(request, "members/export.html")
    data = export.account_data(request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if form.is_valid():
        services.update_profile(profile, dict(form.cleaned_data))
        messages.success(request, _("Your profile is saved."))
        return redirect("members:profile")
    status = 400 if form.errors else 200
    return render(request, "members/profile_edit.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """A member's profile, for those who share a chapter with them (and only if listed)."""
    member = get_object_or_404(User.objects.select_related("profile"), pk=user_id, is_active=True)
    if not can_see_profile(request.user, member):
        raise Http404(_("No such member, or their profile is private."))
    services.profile_for(member)
    chapters = Chapter.objects.filter(memberships__user=member).order_by("name")
    context = {
        "member": member,
        "chapters": chapters,
        "projects": projects_of(member, request.user),
    }
    return render(request, "members/profile.html", context)


def can_see_profile(viewer, member: User) -> bool:
    """Members see listed profiles of people they share a chapter with; everyone sees their own."""
    if not viewer.is_authenticated:
        return False
    if viewer.pk == member.pk or viewer.is_staff:
        return True
    if not services.profile_for(member).in_directory:
        return False
    shared = Membership.objects.filter(user=viewer).values("chapter")
    return Membership.objects.filter(user=member, chapter__in=shared).exists()
