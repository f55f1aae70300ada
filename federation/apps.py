from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = _("Federation")

    def ready(self) -> None:
        # Publishing hooks: meetings and stories reach followers when saved or deleted.
        from federation import checks, signals  # noqa: F401 - checks registers itself

        signals.connect()
