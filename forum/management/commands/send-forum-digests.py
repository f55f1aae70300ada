"""`chapterhouse send-forum-digests`: the daily digest; run it once a day from cron."""

from django.core.management.base import BaseCommand

from forum.notifications import send_digests


class Command(BaseCommand):
    help = "Send each member on the daily forum digest the posts they have not heard of yet."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
