"""Interface strings are marked for translation and `make messages` can collect them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_extraction_finds_strings_in_python_and_both_template_kinds(tmp_path):
    catalogue = tmp_path / "django.pot"
    command = [
        str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
        "-k", "_", "-k", "gettext_lazy", "-k", "ngettext_lazy:1,2",
        "--ignore-dirs=.venv node_modules var tests bench", "-o", str(catalogue), ".",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    text = catalogue.read_text()
    for marked in [
        'msgid "Skip to content"',  # templates/base.html
        'msgid "Are you going?"',  # templates/meetings/detail.html
        'msgid "Confirm your e-mail address for %(site)s"',  # a plain-text mail template
        'msgid "An account with this e-mail address already exists."',  # members/services.py
        'msgid "Web services librarian"',  # members/models.py choices
    ]:
        assert marked in text, marked
    assert ".venv" not in text
