from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def build_records(sender, using="default", **kwargs) -> None:
    """After migrating, fill the Record table when content exists but no live record does yet
    (a new install of the provider, or an upgrade from before the table)."""
    from oaipmh import records
    from oaipmh.models import Record

    if Record.objects.using(using).filter(deleted=False).exists():
        return
    if any(records.public(kind, scheduled=True).using(using).exists() for kind in records.KINDS):
        records.rebuild()


class OaipmhConfig(AppConfig):
    name = "oaipmh"
    verbose_name = _("OAI-PMH")

    def ready(self) -> None:
        from oaipmh import signals

        signals.connect()
        post_migrate.connect(build_records, sender=self, dispatch_uid="oaipmh-build-records")
