"""Model fields shared by the apps."""

from django.db import models


class URLField(models.URLField):
    """A URL field whose form assumes https:// when people leave the scheme out."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
