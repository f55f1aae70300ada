"""`chapterhouse prune-rate-limits`: drop spent rate-limit counters; run it daily from cron."""

from django.conf import settings
from django.core.management.base import BaseCommand

from chapterhouse import ratelimit
from members import lockout


class Command(BaseCommand):
    help = "Delete rate-limit counters of past windows and log-in throttles no longer in force."

    def handle(self, *args, **options):
        longest = max(window for _attempts, window in settings.RATE_LIMITS.values())
        counters = ratelimit.prune(older_than_seconds=longest)
        throttles = lockout.prune()
        self.stdout.write(f"{counters} counter(s) and {throttles} log-in throttle(s) deleted.")
