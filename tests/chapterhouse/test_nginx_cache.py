"""nginx in front keeps anonymous pages as docs/deploy.md sets it up, and nothing personal.

Real nginx (Debian's package) with docs/nginx/page-cache.conf, in front of real granian
and a database of the test run's engine.
"""

import getpass
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from chapterhouse.cache import PROXY_EXPIRES, personal_cookies
from tests.chapterhouse.servers import (
    HOST,
    SESSION_FOR,
    Site,
    Visitor,
    free_port,
    scratch_database,
    stop,
    wait_until_answering,
)

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "docs" / "nginx" / "page-cache.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECONDS = 60  # long enough that nothing expires during a test

CONF = """\
{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    proxy_cache_path {folder}/cache keys_zone=chapterhouse_pages:1m max_size=20m inactive=10m
                     use_temp_path=off;
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://{host}:{web};
            proxy_set_header Host $http_host;  # with the port: this one is not 443
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_redirect off;
            include {snippet};
        }}
    }}
}}
"""

SETUP = (
    SESSION_FOR
    + """
import json
from django.utils import timezone
from chapters.models import Chapter
from members.models import Membership, User

chapter = Chapter.objects.create(name="Cached chapter", slug="cached")
user = User.objects.create_user("ada@example.org", None, "Ada", email_verified_at=timezone.now())
Membership.objects.create(chapter=chapter, user=user)
print(json.dumps({"session": session_for(user)}))
"""
)
RENAME = """
from chapters.models import Chapter
Chapter.objects.filter(slug="cached").update(name={name!r})
print("null")
"""

pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="needs nginx: apt-get install -y nginx (.ci/run does)"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory, static_root):
    folder = tmp_path_factory.mktemp("nginx-cache")
    nginx_folder = folder / "nginx"
    nginx_folder.mkdir()
    with scratch_database(folder, "nginx_cache") as database_url:
        made = Site(folder, database_url, static_root, CHAPTERHOUSE_PAGE_CACHE_SECONDS=str(SECONDS))
        made.prepare()
        made.ids = made.python(SETUP)
        nginx = None
        try:
            made.start_web()
            port = free_port()
            conf = nginx_folder / "nginx.conf"
            conf.write_text(
                CONF.format(
                    folder=nginx_folder,
                    host=HOST,
                    port=port,
                    web=made.port,
                    snippet=SNIPPET,
                    # Started as root, nginx's workers would otherwise be `nobody`, who may
                    # not write in the test's folder.
                    user=f"user {getpass.getuser()};\n" if os.geteuid() == 0 else "",
                )
            )
            log = (folder / "nginx.log").open("ab")
            nginx = subprocess.Popen(  # noqa: S603 - nginx with our configuration
                [NGINX, "-c", conf, "-p", nginx_folder, "-e", nginx_folder / "error.log"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            made.proxy = f"http://{HOST}:{port}"
            wait_until_answering(f"{made.proxy}/chapters/", nginx)
            yield made
        finally:
            if nginx is not None:
                stop(nginx)
            made.stop()


def rename(site, name: str) -> None:
    site.python(RENAME.format(name=name))


def test_the_snippet_bypasses_the_cache_for_every_personal_cookie():
    text = SNIPPET.read_text()
    for directive in ("proxy_cache_bypass", "proxy_no_cache"):
        line = re.search(rf"^{directive}\s+(.+);$", text, re.MULTILINE).group(1)
        cookies = set(re.findall(r"\$cookie_(\w+)", line))
        assert cookies == set(personal_cookies()), directive
        assert {"$http_authorization", "$http_signature"} <= set(line.split())
    assert settings.SESSION_COOKIE_NAME == "sessionid"


def test_an_anonymous_page_is_kept_and_served_by_nginx(site):
    url = f"{site.proxy}/chapters/cached/stories/"
    status, first, body = Visitor().get(url)
    assert status == 200 and first["x-cache-status"] == "MISS"
    assert PROXY_EXPIRES.lower() not in first  # nginx reads it and keeps it to itself
    status, again, body_again = Visitor().get(url)
    assert status == 200 and again["x-cache-status"] == "HIT"
    assert body_again == body
    # The security headers were kept with the page.
    assert again["content-security-policy"] == first["content-security-policy"]
    assert again["x-content-type-options"] == "nosniff"


def test_a_member_is_never_served_the_kept_page_nor_has_theirs_kept(site):
    url = f"{site.proxy}/chapters/cached/"
    assert Visitor().get(url)[1]["x-cache-status"] in {"MISS", "HIT"}
    rename(site, "Renamed meanwhile")
    try:
        status, headers, page = Visitor(site.ids["session"]).get(url)
        assert status == 200 and headers["x-cache-status"] == "BYPASS"
        assert "Renamed meanwhile" in page and "Log out" in page
        status, headers, anonymous = Visitor().get(url)
        assert headers["x-cache-status"] == "HIT"
        assert "Cached chapter" in anonymous and "Log out" not in anonymous
    finally:
        rename(site, "Cached chapter")


def test_pages_with_a_form_token_are_never_kept(site):
    url = f"{site.proxy}/accounts/login/"
    answers = [Visitor().get(url) for _ in range(2)]
    assert [headers["x-cache-status"] for _, headers, _ in answers] == ["MISS", "MISS"]
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    tokens = [token.search(page).group(1) for *_, page in answers]
    assert tokens[0] != tokens[1]


def test_a_chosen_language_and_errors_go_to_the_application(site):
    url = f"{site.proxy}/chapters/cached/meetings/"
    Visitor().get(url)
    assert Visitor().get(url)[1]["x-cache-status"] == "HIT"
    with_language = Visitor()
    with_language.cookies["django_language"] = "en"
    assert with_language.get(url)[1]["x-cache-status"] == "BYPASS"
    missing = f"{site.proxy}/chapters/no-such-chapter/"
    assert [Visitor().get(missing)[0] for _ in range(2)] == [404, 404]
    assert Visitor().get(missing)[1]["x-cache-status"] == "MISS"


def test_posts_are_never_answered_from_the_cache(site):
    url = f"{site.proxy}/chapters/cached/"
    Visitor().get(url)
    status, headers, _ = Visitor(site.ids["session"]).post(f"{url}join/", {})
    assert status == 302 and headers.get("x-cache-status", "") != "HIT"
