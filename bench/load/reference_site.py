"""The site's production settings, with two bare Django views beside its pages.

granian serves these settings in bench/load/run.py: `/bench/ok/` (reference_urls.py)
answers "ok" after all of the site's middleware.
"""

from config.settings import *  # noqa: F403 - production settings, unchanged

ROOT_URLCONF = "bench.load.reference_urls"
