"""The real Drupal/Jekyll export in shared/corpus, beside the repository."""

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
POSTS = CORPUS / "code4lib-drupal-export"
REDIRECTS = CORPUS / "code4lib-drupal-export-redirects.tsv"

if not POSTS.is_dir():  # never skip: the import tests are the point
    raise RuntimeError(f"The corpus is missing: expected it at {POSTS}")


def post_files() -> list[Path]:
    return sorted(POSTS.glob("*.md"))
