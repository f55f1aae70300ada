from django.core.management.base import BaseCommand

from meetings.models import Series
from meetings.services import SERIES_HORIZON_DAYS, extend_series


class Command(BaseCommand):
    help = (
        f"Create the coming meetings of every active series, {SERIES_HORIZON_DAYS} days ahead. "
        "Run it daily (cron or a systemd timer); running it again creates nothing twice."
    )

    def handle(self, *args, **options):
        created = 0
        series_list = Series.objects.filter(active=True).select_related("chapter", "venue")
        for series in series_list:
            made = extend_series(series)
            created += len(made)
            if made:
                self.stdout.write(f"{series.chapter.slug}: {series.title}: {len(made)} new")
        self.stdout.write(f"{len(series_list)} series, {created} new meetings.")
