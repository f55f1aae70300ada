from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OaipmhConfig(AppConfig):
    name = "oaipmh"
    verbose_name = _("OAI-PMH")

    def ready(self) -> None:
        from oaipmh import signals

        signals.connect()
