"""A deployment check: the test-only switch that lets federation reach private networks."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def private_networks_are_closed(app_configs, **kwargs) -> list[Error]:
    """Outside tests, federation must never fetch from or deliver to private addresses."""
    if not getattr(settings, "FEDERATION_ALLOW_PRIVATE_NETWORKS", False):
        return []
    return [
        Error(
            "CHAPTERHOUSE_FEDERATION_ALLOW_PRIVATE_NETWORKS is on: remote servers could make "
            "this site fetch from its own network (SSRF).",
            hint="Turn it off; only the test suite needs it.",
            id="federation.E001",
        )
    ]
