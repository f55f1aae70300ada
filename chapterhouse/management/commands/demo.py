from django.conf import settings
from django.core.management.base import BaseCommand

from chapterhouse.demo import DEMO_PASSWORD, STAFF_EMAIL, load_demo


class Command(BaseCommand):
    help = "Load the Code4LibNYC demo chapter with organizers and members (safe to run again)."

    def handle(self, *args, **options):
        result = load_demo()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Created the demo: {result.created} new records.")
            )
        else:
            self.stdout.write("The demo is already loaded; nothing changed.")
        url = settings.SITE_URL + result.chapter.get_absolute_url()
        self.stdout.write(f"Open {url}")
        self.stdout.write(f"Log in as an organizer: {result.login_email} / {DEMO_PASSWORD}")
        self.stdout.write(
            f"Administration ({settings.SITE_URL}/admin/): {STAFF_EMAIL} / {DEMO_PASSWORD}"
        )
