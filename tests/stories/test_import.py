"""Importing the real export: every variant, bad files, idempotence, the round trip."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from chapterhouse.markup import visible_text
from stories.frontmatter import read_post, repair
from stories.models import Category, Redirect, Story
from tests.corpus import POSTS, REDIRECTS, post_files
from tests.factories import ChapterFactory

pytestmark = pytest.mark.django_db
WORD = re.compile(r"\w+")


def import_posts(*paths, chapter="code4libnyc") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import-posts", *map(str, paths), "--chapter", chapter, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fields(story: Story) -> tuple:
    categories = sorted(story.categories.values_list("name", flat=True))
    return (
        story.source, story.kind, story.title, story.slug, story.excerpt, story.body,
        story.body_format, story.created, story.published, story.status, categories,
    )  # fmt: skip


def test_the_whole_corpus_imports(chapter):
    out, err = import_posts(POSTS)
    assert "36 new, 0 updated, 0 failed" in out
    assert "Importing" in err and "36/36" in err  # the progress bar
    assert Story.objects.filter(chapter=chapter).count() == 36
    kinds = dict(Story.objects.values_list("source", "kind"))
    assert kinds["2008-08-27-code4libnyc.md"] == "story"
    assert set(kinds.values()) == {"story", "blog", "page"}
    assert Story.objects.filter(status="published").count() == 36


def test_front_matter_variants_are_read():
    announcement = read_post(POSTS / "2008-08-27-code4libnyc.md")
    assert announcement.created.isoformat() == "2008-08-27T13:54:12+00:00"
    assert announcement.categories == []
    assert "\r" not in announcement.excerpt and announcement.excerpt.startswith("We want")
    assert announcement.dated_path == "/2008/08/27/code4libnyc"
    planet = read_post(POSTS / "2005-12-15-planet-facelift.md")
    assert planet.categories == ["python", "xml"]


def test_a_date_instead_of_created_and_a_post_layout(tmp_path):
    path = tmp_path / "2011-02-03-dated.md"
    path.write_text(
        "---\ntitle: Dated\nlayout: post\ndate: 2011-02-03 18:30:00 -05:00\n---\nBody\n"
    )
    post = read_post(path)
    assert post.created.isoformat() == "2011-02-03T18:30:00-05:00"
    assert post.kind == "blog"
    assert post.dated_path == "/2011/02/03/dated"


def test_mojibake_is_repaired_and_line_ends_normalized():
    raw = (POSTS / "2006-01-09-anatomy-of-adore.md").read_text(encoding="utf-8")
    assert "â€”" in raw
    post = read_post(POSTS / "2006-01-09-anatomy-of-adore.md")
    assert "â€" not in post.body and "—" in post.body
    assert "\r" not in post.body and "\r" not in post.excerpt
    assert repair("caf\u00c3\u00a9\r\nnext\rline") == "café\nnext\nline"


@pytest.mark.parametrize("path", post_files(), ids=lambda p: p.name)
def test_every_word_of_each_original_is_on_its_page(path, client, chapter):
    import_posts(path)
    story = Story.objects.get(source=path.name)
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    body = re.search(r'<div class="prose">(.*?)</div>\s*</article>', page.text, re.S).group(1)
    assert not re.search(r"<script|javascript:|\son\w+=", body, re.I)
    original = repair(path.read_text(encoding="utf-8").split("\n---", 1)[1].split("\n", 1)[1])
    shown = set(WORD.findall(visible_text(body)))
    missing = [word for word in WORD.findall(visible_text(original)) if word not in shown]
    assert not missing, f"words lost from {path.name}: {missing[:20]}"


def test_importing_again_updates_and_never_duplicates(chapter):
    import_posts(POSTS)
    before = {story.source: fields(story) for story in Story.objects.all()}
    categories = Category.objects.count()
    out, _err = import_posts(POSTS)
    assert "0 new, 36 updated, 0 failed" in out
    assert {story.source: fields(story) for story in Story.objects.all()} == before
    assert Category.objects.count() == categories


def test_a_changed_file_updates_its_story(chapter, tmp_path):
    path = tmp_path / "2008-08-27-code4libnyc.md"
    path.write_text((POSTS / path.name).read_text(encoding="utf-8"), encoding="utf-8")
    import_posts(path)
    path.write_text(path.read_text().replace("title: Code4LibNYC", "title: Code4LibNYC meets"))
    import_posts(path)
    assert Story.objects.get().title == "Code4LibNYC meets"


BAD_FILES = {
    "2010-01-01-broken-yaml.md": (
        b"---\ntitle: [unclosed\nlayout: story\n---\nBody\n",
        "broken YAML",
    ),
    "2010-01-02-no-title.md": (b"---\nlayout: story\ncreated: 1262304000\n---\nBody\n", "no title"),
    "2010-01-03-latin1.md": (b"---\ntitle: Caf\xe9\n---\nBody \xff\xfe\n", "not UTF-8"),
    "2010-01-04-no-front-matter.md": (b"Just a body\n", "no front matter"),
    "2010-01-05-not-a-mapping.md": (b"---\n- a list\n---\nBody\n", "not a list of key: value"),
    "2010-01-06-bad-date.md": (
        b"---\ntitle: When\ncreated: yesterday\n---\nBody\n",
        "no usable date",
    ),
}


def test_bad_files_are_reported_skipped_and_the_rest_imported(chapter, tmp_path):
    for name, (content, _reason) in BAD_FILES.items():
        (tmp_path / name).write_bytes(content)
    good = tmp_path / "2010-02-01-good.md"
    good.write_text(
        "---\ntitle: Good\ncategories:\n- fine\ncreated: 1265000000\n---\n<p>Fine</p>\n"
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="6 of 7 files could not be imported"):
        call_command(
            "import-posts", str(tmp_path), "--chapter", chapter.slug, stdout=out, stderr=err
        )
    for name, (_content, reason) in BAD_FILES.items():
        assert re.search(rf"{re.escape(str(tmp_path / name))}: .*{reason}", err.getvalue()), name
    assert "1 new, 0 updated, 6 failed" in out.getvalue()
    assert list(Story.objects.values_list("title", flat=True)) == ["Good"]
    assert list(Category.objects.values_list("name", flat=True)) == ["fine"]


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "2010-01-01-x.md"
    path.write_text("---\ntitle: ok\nlayout: story\ncategories: [a, b\n---\nBody\n")
    with pytest.raises(Exception, match=r"broken YAML front matter at line \d"):
        read_post(path)


def test_unknown_chapter_and_missing_path_are_clear_errors(chapter, tmp_path):
    with pytest.raises(CommandError, match="There is no chapter 'nowhere'"):
        import_posts(POSTS, chapter="nowhere")
    with pytest.raises(CommandError, match="no such file or folder"):
        import_posts(tmp_path / "missing")


def test_import_export_import_round_trip(chapter, tmp_path):
    import_posts(POSTS)
    call_command(
        "export-posts",
        str(tmp_path / "out"),
        "--chapter",
        chapter.slug,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert len(list((tmp_path / "out").glob("*.md"))) == 36
    ChapterFactory(slug="copy")
    import_posts(tmp_path / "out", chapter="copy")
    original = {s.source: fields(s)[1:] for s in Story.objects.filter(chapter=chapter)}
    copied = {s.source: fields(s)[1:] for s in Story.objects.filter(chapter__slug="copy")}
    assert copied == original
    # And the copy exports to the very same files.
    call_command(
        "export-posts",
        str(tmp_path / "again"),
        "--chapter",
        "copy",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    for path in (tmp_path / "out").glob("*.md"):
        assert (tmp_path / "again" / path.name).read_text() == path.read_text(), path.name


def test_old_paths_of_every_corpus_document_answer_301(client, chapter):
    import_posts(POSTS)
    out = io.StringIO()
    call_command("import-redirects", str(REDIRECTS), stdout=out, stderr=io.StringIO())
    assert "Read 36 lines" in out.getvalue() and "0 failed" in out.getvalue()
    rows = [line.split("\t") for line in REDIRECTS.read_text().splitlines()[1:]]
    assert len(rows) == 36
    for drupal_path, export_path, post_path in rows:
        targets = set()
        for old_path in (drupal_path, export_path, post_path):
            response = client.get(old_path)
            assert response.status_code == 301, old_path
            targets.add(response.url)
        (target,) = targets
        assert client.get(target).status_code == 200
    assert Redirect.objects.count() == 36 * 3
