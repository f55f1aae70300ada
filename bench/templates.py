"""Render one 50-card list page with Django templates and with Jinja2, and compare.

Run from the repository root: `.venv/bin/python bench/templates.py` (or `make bench`).
Exits non-zero when Jinja2 is less than TARGET_RATIO times faster than Django templates.
"""

import datetime as dt
import os
import random
import re
import statistics
import sys
import timeit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.template import Context, Engine  # noqa: E402
from jinja2 import DictLoader  # noqa: E402

from chapterhouse.jinja import environment  # noqa: E402

ROWS = 50
RENDERS_PER_RUN = 200
RUNS = 5
# Both engines format dates with Django's localized formatter (about 20 µs a date),
# which is most of what Jinja2 spends; the target is set on the page as a whole.
TARGET_RATIO = 1.3

DJANGO_TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{{ site_name }}{% endblock %}</title></head>
<body>
  <header><a class="site-name" href="/">{{ site_name }}</a>
    {% if viewer %}<a href="{{ viewer.url }}">{{ viewer.name }}</a>{% endif %}</header>
  <main id="main">{% block content %}{% endblock %}</main>
  <footer><p>{{ site_name }} · <a href="/chapters/">All chapters</a></p></footer>
</body>
</html>""",
    "list.html": """{% extends "base.html" %}{% load i18n %}
{% block title %}{% translate "Members" %} · {{ site_name }}{% endblock %}
{% block content %}
  <h1>{{ chapter.name }}: {{ rows|length }} {% translate "members" %}</h1>
  <ul class="cards">
  {% for row in rows %}
    <li class="card{% if row.is_organizer %} card-organizer{% endif %}">
      <h2><a href="/members/{{ row.username }}/">{{ row.display_name }}</a></h2>
      {% if row.bio %}<p>{{ row.bio }}</p>{% endif %}
      <p class="meta">#{{ forloop.counter }} · joined
        <time datetime="{{ row.joined|date:"Y-m-d" }}">{{ row.joined|date:"j M Y" }}</time></p>
      {% if row.website %}
        <a rel="nofollow" href="{{ row.website }}">{{ row.website }}</a>
      {% endif %}
      <ul class="tags">{% for tag in row.tags %}<li>{{ tag }}</li>{% endfor %}</ul>
    </li>
  {% empty %}
    <li>No members yet.</li>
  {% endfor %}
  </ul>
{% endblock %}""",
}

JINJA_TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{{ site_name }}{% endblock %}</title></head>
<body>
  <header><a class="site-name" href="/">{{ site_name }}</a>
    {% if viewer %}<a href="{{ viewer.url }}">{{ viewer.name }}</a>{% endif %}</header>
  <main id="main">{% block content %}{% endblock %}</main>
  <footer><p>{{ site_name }} · <a href="/chapters/">All chapters</a></p></footer>
</body>
</html>""",
    "list.html": """{% extends "base.html" %}
{% block title %}{{ _("Members") }} · {{ site_name }}{% endblock %}
{% block content %}
  <h1>{{ chapter.name }}: {{ rows|length }} {{ _("members") }}</h1>
  <ul class="cards">
  {% for row in rows %}
    <li class="card{% if row.is_organizer %} card-organizer{% endif %}">
      <h2><a href="/members/{{ row.username }}/">{{ row.display_name }}</a></h2>
      {% if row.bio %}<p>{{ row.bio }}</p>{% endif %}
      <p class="meta">#{{ loop.index }} · joined
        <time datetime="{{ row.joined|date("Y-m-d") }}">{{ row.joined|date("j M Y") }}</time></p>
      {% if row.website %}
        <a rel="nofollow" href="{{ row.website }}">{{ row.website }}</a>
      {% endif %}
      <ul class="tags">{% for tag in row.tags %}<li>{{ tag }}</li>{% endfor %}</ul>
    </li>
  {% else %}
    <li>No members yet.</li>
  {% endfor %}
  </ul>
{% endblock %}""",
}

# User-supplied strings with characters that must be escaped.
NAMES = ["Ada O'Brien", "Grace <Hopper>", 'Lin "the Librarian" Wu', "Tom & Jerry", "Zoë Ålund"]
BIOS = ["Catalogs <b>everything</b>.", "Likes MARC & BIBFRAME.", "", 'Says "it\'s metadata".']
TAGS = ["linked data", "archives", "python", "digitization", "<script>", "OAI-PMH"]


def make_context() -> dict:
    """Plain-Python rows, the shape a list view hands its template."""
    rng = random.Random(42)
    start = dt.datetime(2019, 1, 1, 18, 30, tzinfo=dt.UTC)
    rows = [
        {
            "username": f"member-{i}",
            "display_name": f"{rng.choice(NAMES)} {i}",
            "bio": rng.choice(BIOS),
            "joined": start + dt.timedelta(days=17 * i),
            "website": f"https://example.org/~m{i}?ref=chapterhouse&lang=en" if i % 3 else "",
            "is_organizer": i % 10 == 0,
            "tags": rng.sample(TAGS, k=3),
        }
        for i in range(ROWS)
    ]
    return {
        "site_name": "Chapterhouse",
        "viewer": {"name": "Ada <admin>", "url": "/members/ada/"},
        "chapter": {"name": "Code4Lib & Friends NYC"},
        "rows": rows,
    }


def django_renderer(context: dict):
    """A DTL render function, with the cached loader production uses."""
    locmem = ("django.template.loaders.locmem.Loader", DJANGO_TEMPLATES)
    engine = Engine(
        loaders=[("django.template.loaders.cached.Loader", [locmem])],
        libraries={"i18n": "django.templatetags.i18n"},
        autoescape=True,
    )
    template = engine.get_template("list.html")
    return lambda: template.render(Context(context))


def jinja_renderer(context: dict):
    """A Jinja2 render function, from the environment factory every page uses."""
    env = environment(loader=DictLoader(JINJA_TEMPLATES))
    assert env.autoescape("list.html"), "autoescape must be on"
    template = env.get_template("list.html")
    return lambda: template.render(context)


def normalise(html: str) -> str:
    """Collapse whitespace; spell the two entities the engines write differently one way."""
    # DTL writes &#x27; and &quot;, markupsafe writes &#39; and &#34;: the same characters.
    html = html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+<", "><", html).strip()


def check_equal(django_html: str, jinja_html: str) -> None:
    """Stop the run if the two templates do not produce the same, escaped page."""
    left, right = normalise(django_html), normalise(jinja_html)
    if left != right:
        pairs = enumerate(zip(left, right, strict=False))
        at = next((i for i, (a, b) in pairs if a != b), min(len(left), len(right)))
        sys.exit(
            f"outputs differ at {at}:\n  DTL:    {left[at - 60 : at + 60]!r}\n"
            f"  Jinja2: {right[at - 60 : at + 60]!r}"
        )
    if "<script>" in left or "<b>" in left or left.count('<li class="card') != ROWS:
        sys.exit("rendered page is not escaped or is missing cards")


def ms_per_render(renders: dict) -> dict:
    """Median and best milliseconds per render for each engine.

    Runs alternate between engines so both see the same background load.
    """
    samples = {name: [] for name in renders}
    for render in renders.values():
        render()  # warm up caches before timing
    for _ in range(RUNS):
        for name, render in renders.items():
            seconds = timeit.timeit(render, number=RENDERS_PER_RUN)
            samples[name].append(seconds / RENDERS_PER_RUN * 1000)
    return {name: (statistics.median(ms), min(ms)) for name, ms in samples.items()}


def main() -> int:
    context = make_context()
    renders = {"Django templates": django_renderer(context), "Jinja2": jinja_renderer(context)}
    check_equal(renders["Django templates"](), renders["Jinja2"]())
    timings = ms_per_render(renders)
    ratio = timings["Django templates"][0] / timings["Jinja2"][0]
    print(f"{ROWS}-row list page, median and best of {RUNS} runs of {RENDERS_PER_RUN} renders")
    print(f"{'engine':<18}{'median ms/render':>18}{'best ms/render':>16}")
    for name, (median, best) in timings.items():
        print(f"{name:<18}{median:>18.3f}{best:>16.3f}")
    print(f"ratio DTL/Jinja2 (median): {ratio:.1f}x (target: at least {TARGET_RATIO:.1f}x)")
    if ratio < TARGET_RATIO:
        print(f"FAIL: Jinja2 is less than {TARGET_RATIO:.1f}x faster than Django templates")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
