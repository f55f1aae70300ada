"""Forum pages: categories, threads, writing, watching, and the organizers' moderation queue."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chapters.models import Chapter
from chapters.views import chapter_or_404, membership_of, render_in_chapter_zone
from forum import services
from forum.forms import (
    CategoryForm,
    DeliveryForm,
    EditForm,
    FlagForm,
    PostActionForm,
    ReplyForm,
    SettingsForm,
    SuspendForm,
    ThreadActionForm,
    ThreadForm,
)
from forum.models import (
    Category,
    Flag,
    ForumSettings,
    ModerationAction,
    Post,
    Preference,
    Suspension,
    Thread,
    ThreadRead,
    Watch,
)
from forum.rendering import quote, render_bodies
from members.models import Role, User

POSTS_PER_PAGE = 50
THREADS_PER_PAGE = 30


@dataclass
class Forum:
    """The chapter, its forum settings, and what the viewer is in it."""

    chapter: Chapter
    settings: ForumSettings
    user: User
    is_member: bool
    is_organizer: bool


class MembersOnly(Exception):
    pass


def forum_or_404(request: HttpRequest, slug: str) -> Forum:
    """The forum, if the viewer may read it; MembersOnly otherwise."""
    chapter = chapter_or_404(slug)
    forum = services.settings_for(chapter)
    membership = membership_of(request, chapter)
    user = request.user
    is_member = membership is not None and user.is_active
    organizer = user.is_superuser or (is_member and membership.role == Role.ORGANIZER)
    if forum.visibility == ForumSettings.Visibility.MEMBERS and not (is_member or organizer):
        raise MembersOnly(chapter)
    return Forum(chapter, forum, user, is_member, organizer)


def render(request, forum: Forum, template: str, context: dict, status: int = 200):
    context = {"forum": forum, **context}
    return render_in_chapter_zone(request, forum.chapter, template, context, status)


def members_only(request, chapter: Chapter) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render_in_chapter_zone(request, chapter, "forum/members_only.html", {}, status=403)


def readable(view):
    """Turn a members-only refusal into the members-only page (or the log-in page)."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except MembersOnly as refusal:
            return members_only(request, refusal.args[0])

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def require_organizer(forum: Forum) -> None:
    if not forum.is_organizer:
        raise PermissionDenied(_("Only the chapter's organizers can do this."))


def with_unread(threads, user):
    """Annotate each thread with how far the viewer has read it."""
    if not user.is_authenticated:
        return threads
    last_read = ThreadRead.objects.filter(user=user, thread=OuterRef("pk"))
    return threads.annotate(last_read=Subquery(last_read.values("last_read_position")[:1]))


def is_unread(thread) -> bool:
    last_read = getattr(thread, "last_read", False)
    return last_read is None or (last_read is not False and thread.reply_count > last_read)


@require_GET
@readable
def index(request: HttpRequest, slug: str) -> HttpResponse:
    forum = forum_or_404(request, slug)
    categories = Category.objects.filter(chapter=forum.chapter)
    if not categories.exists():
        services.ensure_default_categories(forum.chapter)
    listed = Thread.objects.listed()
    categories = categories.annotate(
        thread_count=Count("threads", filter=Q(threads__in=listed), distinct=True),
        last_activity=Max("threads__last_activity", filter=Q(threads__in=listed)),
    ).select_related("chapter")
    recent = with_unread(Thread.objects.for_list().filter(chapter=forum.chapter), request.user)
    recent = recent.order_by("-last_activity", "-pk")[:10]
    context = {"categories": categories, "threads": recent, "is_unread": is_unread}
    return render(request, forum, "forum/index.html", context)


@require_GET
@readable
def category_detail(request: HttpRequest, slug: str, category: str) -> HttpResponse:
    forum = forum_or_404(request, slug)
    category = get_object_or_404(Category, chapter=forum.chapter, slug=category)
    threads = with_unread(Thread.objects.for_list().filter(category=category), request.user)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    watching = (
        request.user.is_authenticated
        and Watch.objects.filter(user=request.user, category=category).exists()
    )
    context = {"category": category, "page": page, "watching": watching, "is_unread": is_unread}
    return render(request, forum, "forum/category.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@readable
def new_thread(request: HttpRequest, slug: str) -> HttpResponse:
    forum = forum_or_404(request, slug)
    if not Category.objects.filter(chapter=forum.chapter).exists():
        services.ensure_default_categories(forum.chapter)
    initial = {"category": request.GET.get("category", ""), "project": request.GET.get("project")}
    form = ThreadForm(forum.chapter, request.POST or None, initial=initial)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.start_thread(
                request.user, data["category"], data["title"], data["body"], client_ip(request),
                project=data.get("project"),
            )  # fmt: skip
        except services.RateLimited as refusal:
            form.add_error(None, str(refusal))
            status = 429
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _message(error))
            status = 403 if isinstance(error, PermissionDenied) else 400
        else:
            return redirect(thread)
    elif form.errors:
        status = 400
    return render(request, forum, "forum/thread_form.html", {"form": form}, status=status)


def client_ip(request: HttpRequest) -> str:
    # The proxy in front of us (see docs/deploy.md) sets REMOTE_ADDR to the client's address.
    return request.META.get("REMOTE_ADDR", "")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do this.")


def thread_or_404(forum: Forum, pk: int) -> Thread:
    """The thread, if the viewer may see it: hidden or unapproved threads are for few."""
    thread = get_object_or_404(
        Thread.objects.select_related("category", "author__profile", "project", "chapter"),
        chapter=forum.chapter,
        pk=pk,
    )
    if forum.is_organizer:
        return thread
    first = thread.posts.filter(position=0).values_list("approved", "author_id").first()
    pending_for_others = first and not first[0] and first[1] != forum.user.pk
    banned = Suspension.objects.filter(chapter=forum.chapter, user=thread.author_id, until=None)
    if thread.hidden or pending_for_others or banned.exists():
        raise Http404(_("No such thread."))
    return thread


def page_of_posts(forum: Forum, thread: Thread, number: int) -> list[Post]:
    """The posts at the positions of one page, each marked with how the viewer sees it."""
    start = (number - 1) * POSTS_PER_PAGE
    banned = Suspension.objects.filter(chapter=forum.chapter, user=OuterRef("author"), until=None)
    posts = (
        thread.posts.filter(position__gte=start, position__lt=start + POSTS_PER_PAGE)
        .select_related("author__profile")
        .annotate(author_banned=Exists(banned))
        .order_by("position", "pk")
    )
    if not forum.is_organizer:
        posts = posts.filter(Q(approved=True) | Q(author_id=forum.user.pk))
    return list(posts)


def post_state(forum: Forum, post: Post) -> str:
    """What the viewer sees of a post: its text, or a placeholder."""
    if post.deleted:
        return "deleted"
    if post.hidden or post.author_banned:
        return "hidden_shown" if forum.is_organizer else "hidden"
    return "shown"


def page_count(thread: Thread) -> int:
    return thread.reply_count // POSTS_PER_PAGE + 1


def page_number(request: HttpRequest, thread: Thread) -> int:
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    return min(max(number, 1), page_count(thread))


def thread_page(request, forum: Forum, thread: Thread, form=None, status=200) -> HttpResponse:
    number = page_number(request, thread)
    posts = page_of_posts(forum, thread, number)
    states = {post.pk: post_state(forum, post) for post in posts}
    bodies = render_bodies(
        {post.pk: post.body for post in posts if states[post.pk] in ("shown", "hidden_shown")}
    )
    if form is None:
        form = ReplyForm(initial={"body": quoted_body(request, forum, thread)})
    user = request.user
    if posts and user.is_authenticated:
        services.mark_read(user, thread, posts[-1].position)
    context = {
        "thread": thread,
        "posts": posts,
        "states": states,
        "bodies": bodies,
        "form": form,
        "number": number,
        "pages": page_count(thread),
        "watching": user.is_authenticated
        and Watch.objects.filter(user=user, thread=thread).exists(),
        "can_reply": forum.is_member and not thread.locked,
        "action_form": ThreadActionForm(forum.chapter) if forum.is_organizer else None,
    }
    return render(request, forum, "forum/thread.html", context, status=status)


def quoted_body(request: HttpRequest, forum: Forum, thread: Thread) -> str:
    """The reply's starting text: a quote of the post named by ?quote=, if it can be quoted."""
    pk = request.GET.get("quote", "")
    if not pk.isdigit():
        return ""
    post = (
        Post.objects.shown(forum.chapter.pk)
        .filter(thread=thread, pk=int(pk), deleted=False)
        .select_related("author__profile")
        .first()
    )
    return quote(post.author.display_name, post.body) if post else ""


@require_GET
@readable
def thread_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    return thread_page(request, forum, thread_or_404(forum, pk))


@login_required
@require_POST
@readable
def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    thread = thread_or_404(forum, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return thread_page(request, forum, thread, form, status=400)
    try:
        post = services.reply(request.user, thread, form.cleaned_data["body"], client_ip(request))
    except services.RateLimited as refusal:
        form.add_error(None, str(refusal))
        return thread_page(request, forum, thread, form, status=429)
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, _message(error))
        status = 403 if isinstance(error, PermissionDenied) else 400
        return thread_page(request, forum, thread, form, status=status)
    if not post.approved:
        messages.info(request, _("Thanks! An organizer will approve your post shortly."))
    return redirect(post_url(post))


def post_url(post: Post) -> str:
    page = post.position // POSTS_PER_PAGE + 1
    return f"{post.thread.get_absolute_url()}?page={page}#post-{post.pk}"


def post_or_404(forum: Forum, pk: int) -> Post:
    post = get_object_or_404(
        Post.objects.select_related("thread__chapter", "thread__category", "author__profile"),
        thread__chapter=forum.chapter,
        pk=pk,
    )
    thread_or_404(forum, post.thread_id)
    return post


@require_GET
@readable
def post_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A post's permanent address: its place on its thread's page."""
    forum = forum_or_404(request, slug)
    return redirect(post_url(post_or_404(forum, pk)))


@login_required
@require_http_methods(["GET", "POST"])
@readable
def edit_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    post = post_or_404(forum, pk)
    if not services.can_edit(request.user, post):
        raise PermissionDenied(_("Only the author can edit this post."))
    initial = {"body": post.body, "title": post.thread.title}
    form = EditForm(request.POST or None, initial=initial)
    status = 400 if form.errors else 200
    if form.is_valid():
        try:
            services.edit_post(request.user, post, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _message(error))
            status = 400
        else:
            return redirect(post_url(post))
    context = {"post": post, "form": form}
    return render(request, forum, "forum/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@readable
def delete_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    post = post_or_404(forum, pk)
    if request.method == "POST":
        services.delete_post(request.user, post)
        messages.success(request, _("The post was deleted."))
        return redirect(post_url(post))
    if not (post.author_id == request.user.pk or forum.is_organizer):
        raise PermissionDenied(_("Only the author or an organizer can delete this post."))
    return render(request, forum, "forum/delete.html", {"post": post})


@login_required
@require_GET
@readable
def post_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    post = post_or_404(forum, pk)
    if not services.can_see_history(request.user, post):
        raise PermissionDenied(_("Only the author and the organizers can see earlier versions."))
    revisions = list(post.revisions.select_related("editor__profile"))
    bodies = render_bodies({revision.pk: revision.body for revision in revisions})
    context = {"post": post, "revisions": revisions, "bodies": bodies}
    return render(request, forum, "forum/history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@readable
def flag_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    post = post_or_404(forum, pk)
    form = FlagForm(request.POST or None)
    if form.is_valid():
        services.flag_post(request.user, post, form.cleaned_data["reason"])
        messages.success(request, _("Thank you. The organizers will look at this post."))
        return redirect(post_url(post))
    status = 400 if form.errors else 200
    return render(request, forum, "forum/flag.html", {"post": post, "form": form}, status=status)


@login_required
@require_POST
@readable
def watch_thread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    thread = thread_or_404(forum, pk)
    set_watching(request, thread=thread)
    return redirect(thread)


@login_required
@require_POST
@readable
def watch_category(request: HttpRequest, slug: str, category: str) -> HttpResponse:
    forum = forum_or_404(request, slug)
    category = get_object_or_404(Category, chapter=forum.chapter, slug=category)
    set_watching(request, category=category)
    return redirect(category)


def set_watching(request: HttpRequest, **target) -> None:
    """Start watching a thread or a category, or stop when the form says watch=off."""
    if request.POST.get("watch") == "off":
        services.unwatch(request.user, **target)
    else:
        services.watch(request.user, **target)


@login_required
@require_http_methods(["GET", "POST"])
@readable
def preferences(request: HttpRequest, slug: str) -> HttpResponse:
    forum = forum_or_404(request, slug)
    if not forum.is_member:
        raise PermissionDenied(_("Only members of the chapter receive forum e-mail."))
    current = Preference.objects.filter(user=request.user, chapter=forum.chapter).first()
    initial = {"delivery": current.delivery if current else Preference.Delivery.IMMEDIATE}
    form = DeliveryForm(request.POST or None, initial=initial)
    if form.is_valid():
        services.set_delivery(request.user, forum.chapter, form.cleaned_data["delivery"])
        messages.success(request, _("Your forum e-mail setting is saved."))
        return redirect("forum:index", forum.chapter.slug)
    status = 400 if form.errors else 200
    return render(request, forum, "forum/preferences.html", {"form": form}, status=status)


@login_required
@require_GET
@readable
def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """The queue: posts waiting for approval, flagged posts, suspensions and the log."""
    forum = forum_or_404(request, slug)
    require_organizer(forum)
    return moderation_page(request, forum)


def moderation_page(request, forum: Forum, status: int = 200, **forms) -> HttpResponse:
    chapter = forum.chapter
    posts = Post.objects.filter(thread__chapter=chapter).select_related("thread", "author__profile")
    flagged = posts.filter(Exists(Flag.objects.filter(post=OuterRef("pk"), resolved=False)))
    context = {
        "pending": posts.filter(approved=False, hidden=False),
        "flagged": flagged.prefetch_related("flags__reporter__profile"),
        "suspensions": Suspension.objects.in_force()
        .filter(chapter=chapter)
        .select_related("user__profile"),
        "log": ModerationAction.objects.filter(chapter=chapter).select_related(
            "actor__profile", "member__profile", "thread", "post"
        )[:100],
        "suspend_form": forms.get("suspend_form") or SuspendForm(),
        "post_error": forms.get("post_error"),
    }
    return render(request, forum, "forum/moderation.html", context, status=status)


@login_required
@require_POST
@readable
def moderate_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    require_organizer(forum)
    post = get_object_or_404(Post, thread__chapter=forum.chapter, pk=pk)
    form = PostActionForm(request.POST)
    if not form.is_valid():
        return moderation_page(request, forum, status=400, post_error=_("Choose an action."))
    data = form.cleaned_data
    services.moderate_post(request.user, post, data["action"], data["reason"])
    messages.success(request, _("Done."))
    if request.POST.get("next") == "thread":
        return redirect(post_url(post))
    return redirect("forum:moderation", slug)


@login_required
@require_POST
@readable
def moderate_thread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    require_organizer(forum)
    thread = get_object_or_404(
        Thread.objects.select_related("chapter"), chapter=forum.chapter, pk=pk
    )
    form = ThreadActionForm(forum.chapter, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.moderate_thread(
            request.user, thread, data["action"], data["reason"], data["category"]
        )
        messages.success(request, _("Done."))
        return redirect(thread)
    context = {"thread": thread, "action_form": form}
    return render(request, forum, "forum/thread_action.html", context, status=400)


@login_required
@require_POST
@readable
def suspend_member(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    forum = forum_or_404(request, slug)
    require_organizer(forum)
    member = get_object_or_404(User, pk=user_id, memberships__chapter=forum.chapter)
    if request.POST.get("lift"):
        services.lift_suspension(
            request.user, forum.chapter, member, request.POST.get("reason", "")
        )
        return redirect("forum:moderation", slug)
    form = SuspendForm(request.POST)
    if form.is_valid():
        try:
            services.suspend(request.user, forum.chapter, member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("Done: %s.") % member.display_name)
            return redirect("forum:moderation", slug)
    return moderation_page(request, forum, status=400, suspend_form=form)


@login_required
@require_http_methods(["GET", "POST"])
@readable
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The forum's settings and its categories, for organizers."""
    forum = forum_or_404(request, slug)
    require_organizer(forum)
    form = SettingsForm(request.POST or None, instance=forum.settings)
    if form.is_valid():
        data = form.cleaned_data
        services.update_settings(
            request.user, forum.chapter, data["visibility"], data["approval_threshold"]
        )
        messages.success(request, _("The forum's settings are saved."))
        return redirect("forum:manage", slug)
    context = {"form": form, "categories": Category.objects.filter(chapter=forum.chapter)}
    return render(request, forum, "forum/manage.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@readable
def edit_category(request: HttpRequest, slug: str, category: str = "") -> HttpResponse:
    forum = forum_or_404(request, slug)
    require_organizer(forum)
    instance = (
        get_object_or_404(Category, chapter=forum.chapter, slug=category) if category else None
    )
    form = CategoryForm(forum.chapter, request.POST or None, instance=instance)
    if form.is_valid():
        services.save_category(request.user, form.instance)
        messages.success(request, _("The category is saved."))
        return redirect("forum:manage", slug)
    context = {"form": form, "category": instance}
    status = 400 if form.errors else 200
    return render(request, forum, "forum/category_form.html", context, status=status)
