"""URL converters: ids that fit a 64-bit integer, so no database ever sees an overflow."""

from django.urls import register_converter


class IdConverter:
    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


class YearConverter(IdConverter):
    """A four-digit year from 1000 to 2999: enough history, and no date overflows."""

    regex = "[12][0-9]{3}"


register_converter(YearConverter, "year")
