"""Who gets what from every route: the expected outcome for each actor, for GET and for POST.

Each row gives GET and POST as five words, one per actor in this order:

    anonymous   member   organizer   other_organizer   staff

or as one word that holds for all five. The member and the organizer belong to the chapter
the URL names; the other organizer runs another chapter; staff is a superuser who belongs to
no chapter. A POST carries a field no form knows (or, for a few routes, a valid form: see
`post_data` in conftest.py), so "bad" on a form means the actor got past every permission
check and was told what is wrong with the form.

Outcomes:
    ok      2xx, or a redirect to a page other than a log-in page
    login   a redirect to the log-in page (the admin's own for the admin)
    denied  401, 403 or 404
    method  405
    bad     400, 413, 422 or 429, with a body that says why
A 500 is never expected.
"""

ACTORS = ("anonymous", "member", "organizer", "other_organizer", "staff")
OUTCOMES = ("ok", "login", "denied", "method", "bad")


def row(get: str, post: str) -> dict[str, str]:
    return {"GET": get, "POST": post}


# Patterns most routes follow.
PUBLIC = row("ok", "method")  # a page or document anyone may read
INBOX = row("method", "bad")  # ActivityPub inboxes: an unsigned, non-JSON POST is refused
ACCOUNT_FORM = row("login ok ok ok ok", "login bad bad bad bad")  # one's own account
SIGNED_IN_ACTION = row("login method method method method", "login ok ok ok ok")
ORGANIZER_PAGE = row("login denied ok denied ok", "login method method method method")
ORGANIZER_FORM = row("login denied ok denied ok", "login denied bad denied bad")
ORGANIZER_ACTION = row("login method method method method", "login denied ok denied ok")
# An organizer's action whose POST the probe's data does not satisfy.
ORGANIZER_CHECKED_ACTION = row("login method method method method", "login denied bad denied bad")
# What members do in the chapter's forum: the form is shown to everyone signed in,
# but only members (organizers are members too) may send it.
FORUM_MEMBER_FORM = row("login ok ok ok ok", "login ok ok denied denied")
FORUM_MEMBER_ACTION = row("login method method method method", "login ok ok denied denied")
# Reached through a link in an e-mail: the token in the address is the permission.
TOKEN_LINK = row("ok", "ok")

TABLE: dict[str, dict[str, str]] = {
    "home": PUBLIC,
    "admin": row("login login login login ok", "login login login login ok"),
    # Federation: discovery is public and read-only; the inboxes take signed POSTs only.
    "federation:webfinger": PUBLIC,
    "federation:host_meta": PUBLIC,
    "federation:nodeinfo_links": PUBLIC,
    "federation:nodeinfo": PUBLIC,
    "federation:instance_actor": PUBLIC,
    "federation:instance_outbox": PUBLIC,
    "federation:outbox": PUBLIC,
    "federation:followers": PUBLIC,  # the count for everyone; the names for organizers only
    "federation:activity": PUBLIC,
    "federation:shared_inbox": INBOX,
    "federation:instance_inbox": INBOX,
    "federation:chapter_inbox": INBOX,
    "federation:instance_network": PUBLIC,
    "federation:chapter_network": PUBLIC,
    "federation:follow": ORGANIZER_CHECKED_ACTION,
    "federation:unfollow": ORGANIZER_ACTION,
    # Accounts. The log-in and password forms answer invalid input with the form again (200).
    "members:signup": row("ok", "bad ok ok ok ok"),  # signed in: sent home
    "members:resend_verification": row("ok", "ok"),
    "members:verify": TOKEN_LINK,  # the POST logs the token's owner in
    "members:login": row("ok", "ok"),  # signed in: sent on
    "members:logout": row("method", "ok"),
    "members:password_reset": row("ok", "ok"),
    "members:password_reset_confirm": TOKEN_LINK,
    "members:password_change": row("login ok ok ok ok", "login ok ok ok ok"),
    "members:settings": ACCOUNT_FORM,
    # The change is made; someone not signed in is then sent to the log-in page.
    "members:confirm_email_change": row("ok", "login ok ok ok ok"),
    "members:delete": ACCOUNT_FORM,
    "members:profile": ACCOUNT_FORM,
    "members:export": row("login ok ok ok ok", "login ok ok ok ok"),  # the POST is the download
    # Profiles are for people who share a chapter with the member.
    "members:detail": row("denied ok ok denied ok", "method"),
    # Chapters.
    "chapters:list": PUBLIC,
    "chapters:detail": PUBLIC,
    "chapters:join": SIGNED_IN_ACTION,
    "chapters:leave": SIGNED_IN_ACTION,
    "chapters:directory": row("login ok ok denied ok", "method"),
    "chapters:manage_members": ORGANIZER_FORM,
    "chapters:contact": row("ok", "bad"),
    "chapters:edit": ORGANIZER_FORM,
    # Stories.
    "stories:list": PUBLIC,
    "stories:feed": PUBLIC,
    "stories:create": ORGANIZER_FORM,
    "stories:category": PUBLIC,
    "stories:year": PUBLIC,
    "stories:detail": PUBLIC,
    "stories:edit": ORGANIZER_FORM,
    "stories:delete": ORGANIZER_ACTION,
    "all_stories_feed": PUBLIC,
    # Meetings.
    "meetings:list": PUBLIC,
    "meetings:past": PUBLIC,
    "meetings:chapter_calendar": PUBLIC,
    "meetings:create": ORGANIZER_FORM,
    "meetings:venues": ORGANIZER_PAGE,
    "meetings:venue_create": ORGANIZER_FORM,
    "meetings:venue_edit": ORGANIZER_FORM,
    "meetings:announcement_addresses": ORGANIZER_FORM,
    "meetings:announcements_preference": SIGNED_IN_ACTION,
    "meetings:detail": PUBLIC,
    "meetings:ics": PUBLIC,
    "meetings:edit": ORGANIZER_FORM,
    "meetings:rsvp": SIGNED_IN_ACTION,  # non-members are told to join, on the meeting's page
    "meetings:attendees": row("login denied ok denied ok", "login denied ok denied ok"),
    "meetings:attendees_csv": ORGANIZER_PAGE,
    # Anyone signed in sees the form; those outside the chapter are told to join (400).
    "meetings:propose_talk": row("login ok ok ok ok", "login ok ok bad bad"),
    "meetings:talk_decision": ORGANIZER_ACTION,  # bad choices come back as a message
    "meetings:talk": PUBLIC,
    # The member proposed the talk, so the member is its speaker.
    "meetings:talk_materials": row("login ok ok denied ok", "login ok ok denied ok"),
    "meetings:talk_slides": PUBLIC,
    "meetings:report": row("login denied ok denied ok", "login denied ok denied ok"),
    # Forum (public: anyone reads it). The member wrote the thread and its posts.
    "forum:index": PUBLIC,
    "forum:new_thread": FORUM_MEMBER_FORM,
    "forum:preferences": row("login ok ok denied denied", "login bad bad denied denied"),
    "forum:manage": ORGANIZER_FORM,
    "forum:category_create": ORGANIZER_FORM,
    "forum:category_edit": ORGANIZER_FORM,
    "forum:moderation": ORGANIZER_PAGE,
    "forum:moderate_post": ORGANIZER_CHECKED_ACTION,
    "forum:moderate_thread": ORGANIZER_CHECKED_ACTION,
    "forum:suspend": ORGANIZER_CHECKED_ACTION,
    "forum:category": PUBLIC,
    "forum:watch_category": FORUM_MEMBER_ACTION,
    "forum:thread": PUBLIC,
    "forum:reply": FORUM_MEMBER_ACTION,
    "forum:watch_thread": FORUM_MEMBER_ACTION,
    "forum:post": row("ok", "method"),  # a redirect to the post on its thread's page
    "forum:edit_post": row("login ok denied denied denied", "login ok denied denied denied"),
    "forum:delete_post": row("login ok ok denied ok", "login ok ok denied ok"),
    "forum:post_history": row("login ok ok denied ok", "login method method method method"),
    "forum:flag_post": FORUM_MEMBER_FORM,
    # Projects: members add them; contributors (none here) and organizers change them.
    "projects:list": PUBLIC,
    "projects:create": row("login ok ok denied ok", "login bad bad denied bad"),
    "projects:technologies": PUBLIC,
    "projects:detail": PUBLIC,
    "projects:edit": ORGANIZER_FORM,
    "projects:delete": row("login denied ok denied ok", "login denied ok denied ok"),
    "projects:contributors": ORGANIZER_FORM,
    "projects:talks": ORGANIZER_CHECKED_ACTION,
    "all_projects_technologies": PUBLIC,
    # Polls: members vote; this poll shows its results to members.
    "polls:list": PUBLIC,
    "polls:create": ORGANIZER_FORM,
    "polls:detail": row("ok", "login ok ok denied ok"),
    "polls:results": row("denied ok ok denied ok", "method"),
    "polls:edit": ORGANIZER_FORM,
    "polls:close": ORGANIZER_ACTION,
    "polls:schedule": ORGANIZER_CHECKED_ACTION,  # not a date poll: nothing to schedule
    # Search, OAI-PMH, the hub and the instance's calendars.
    "search:results": PUBLIC,
    "search:json": PUBLIC,
    "search:opensearch": PUBLIC,
    "oaipmh:endpoint": row("ok", "ok"),  # harvesters may POST the same read-only requests
    "hub:directory": PUBLIC,
    "hub:calendar": PUBLIC,
    "hub:calendar_atom": PUBLIC,
    "hub:calendar_ics": PUBLIC,
    "playbook": PUBLIC,
    "all_meetings_calendar": PUBLIC,
    "unsubscribe": TOKEN_LINK,
    # The members' API token page, signed in as on every other page.
    "api_index": PUBLIC,
    "api_tokens:list": ACCOUNT_FORM,
    "api_tokens:revoke": SIGNED_IN_ACTION,  # someone else's token: "no such token"
    # The JSON API reads no session: each actor sends their own bearer token instead.
    # django-ninja's schema and documentation views answer any method, and only read.
    "api:openapi-json": row("ok", "ok"),
    "api:openapi-view": row("ok", "ok"),
    "api:me": row("denied ok ok ok ok", "method"),
    "api:chapters": PUBLIC,
    "api:chapter": PUBLIC,
    "api:meetings": PUBLIC,
    "api:meeting": PUBLIC,
    # GET is one's own RSVP (only the member has one); POST answers; DELETE cancels.
    "api:rsvp": row("denied ok denied denied denied", "denied ok ok denied denied"),
    "api:talks": row("ok", "denied ok ok denied denied"),  # POST proposes a talk
    "api:stories": row("ok", "denied denied ok denied ok"),  # members here may not blog
    "api:story": PUBLIC,  # PATCH edits
    "api:projects": row("ok", "denied ok ok denied ok"),
    "api:project": PUBLIC,  # PATCH edits
    "api/(?P<path>.*)": row("denied", "denied"),  # any other address under /api/
}


def expected(route_name: str) -> dict[tuple[str, str], str]:
    """{(method, actor): outcome} for one route of the table."""
    found = {}
    for method, words in TABLE[route_name].items():
        outcomes = words.split()
        if len(outcomes) == 1:
            outcomes *= len(ACTORS)
        if len(outcomes) != len(ACTORS) or not set(outcomes) <= set(OUTCOMES):
            raise ValueError(f"{route_name} {method}: give one or five of {OUTCOMES}: {words!r}")
        found.update(
            {(method, actor): outcome for actor, outcome in zip(ACTORS, outcomes, strict=True)}
        )
    return found


def accepts_post(route_name: str) -> list[str]:
    """The actors whose POST the route takes (it acts, or says what is wrong with the form)."""
    outcomes = expected(route_name)
    return [actor for actor in ACTORS if outcomes["POST", actor] in ("ok", "bad")]
