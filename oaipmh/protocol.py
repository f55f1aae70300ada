"""The six OAI-PMH 2.0 verbs: argument checks, errors exactly as the specification names them.

`respond(arguments)` takes the request's arguments as (name, values) pairs and returns the XML
document. Every problem with the request is an `OaiError` and becomes an <error> element in an
ordinary 200 response, as the protocol asks; nothing a harvester sends can cause a server error.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from oaipmh import records, tokens
from oaipmh.describe import OAI_DC, OAI_DC_SCHEMA
from oaipmh.records import KINDS, Record, Selection
from oaipmh.xmlwriter import Node, Written, clean

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC)}
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
PAGE_SIZE = 250
LIST_ARGUMENTS = {"metadataPrefix", "from", "until", "set"}
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def page_size() -> int:
    return getattr(settings, "OAIPMH_PAGE_SIZE", PAGE_SIZE)


def base_url() -> str:
    return settings.SITE_URL + "/oai"


def text(value) -> str:
    return clean(value)


def datestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sub(parent: Node, tag: str, value=None, **attributes) -> Node:
    return parent.add(tag, value, **attributes)


@dataclass
class Request:
    verb: str | None
    arguments: dict[str, str]


def check(pairs: list[tuple[str, list[str]]]) -> Request:
    """The verb and its arguments, or the error the specification names for what is wrong."""
    given = dict(pairs)
    verbs = given.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", _("The verb is missing, repeated or not an OAI-PMH verb."))
    verb = verbs[0]
    repeated = sorted(name for name, values in given.items() if len(values) != 1)
    if repeated:
        raise OaiError("badArgument", _("Repeated argument: %s.") % ", ".join(repeated))
    arguments = {name: values[0] for name, values in given.items()}
    required, optional = VERBS[verb]
    unknown = sorted(set(arguments) - required - optional)
    if unknown:
        raise OaiError("badArgument", _("Not an argument of %(verb)s: %(names)s.") % {
            "verb": verb, "names": ", ".join(unknown)})  # fmt: skip
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OaiError("badArgument", _("resumptionToken must be the only argument."))
        return Request(verb, arguments)
    missing = sorted(required - set(arguments))
    if missing:
        raise OaiError("badArgument", _("Missing argument: %s.") % ", ".join(missing))
    return Request(verb, arguments)


def respond(pairs: list[tuple[str, list[str]]]) -> bytes:
    root = Node("OAI-PMH", attributes={
        "xmlns": OAI,
        "xmlns:xsi": XSI,
        "xsi:schemaLocation": f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    })  # fmt: skip
    sub(root, "responseDate", datestamp(timezone.now()))
    request_element = sub(root, "request", base_url())
    try:
        request = check(pairs)
        for name, value in {"verb": request.verb, **request.arguments}.items():
            request_element.attributes[name] = text(value)
        HANDLERS[request.verb](root, request.arguments)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            request_element.attributes.clear()
        del root.children[2:]
        sub(root, "error", error.message, code=error.code)
    return root.to_bytes()


def identify(root: Node, arguments: dict) -> None:
    element = sub(root, "Identify")
    sub(element, "repositoryName", getattr(settings, "OAIPMH_REPOSITORY_NAME", "Chapterhouse"))
    sub(element, "baseURL", base_url())
    sub(element, "protocolVersion", "2.0")
    for address in admin_emails():
        sub(element, "adminEmail", address)
    sub(element, "earliestDatestamp", datestamp(records.earliest_datestamp()))
    sub(element, "deletedRecord", "persistent")
    sub(element, "granularity", GRANULARITY)


def admin_emails() -> list[str]:
    from email.utils import parseaddr

    addresses = [address for _name, address in settings.ADMINS]
    addresses.append(parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    return [address for address in addresses if "@" in address][:1] or ["webmaster@localhost"]


def list_metadata_formats(root: Node, arguments: dict) -> None:
    if "identifier" in arguments:
        record_parts(arguments["identifier"], must_exist=True)
    element = sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = sub(element, "metadataFormat")
        sub(fmt, "metadataPrefix", prefix)
        sub(fmt, "schema", schema)
        sub(fmt, "metadataNamespace", namespace)


def list_sets(root: Node, arguments: dict) -> None:
    if "resumptionToken" in arguments:
        raise OaiError("badResumptionToken", _("This repository never pages its list of sets."))
    from chapters.models import Chapter

    element = sub(root, "ListSets")
    add_set(element, "chapter", _("All chapters"))
    add_set(element, "kind", _("All kinds of records"))
    for kind in KINDS:
        add_set(element, f"kind:{kind}", kind_name(kind))
    for slug, name in Chapter.objects.order_by("slug").values_list("slug", "name"):
        add_set(element, f"chapter:{slug}", name)
        for kind in KINDS:
            add_set(element, f"chapter:{slug}:kind:{kind}", f"{name}: {kind_name(kind)}")


def kind_name(kind: str) -> str:
    return {
        "project": _("Projects"),
        "report": _("Meeting reports"),
        "story": _("Stories"),
        "talk": _("Talks"),
    }[kind]


def add_set(parent: Node, spec: str, name: str) -> None:
    element = sub(parent, "set")
    sub(element, "setSpec", spec)
    sub(element, "setName", name)


def require_format(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OaiError(
            "cannotDisseminateFormat",
            _("The only metadata format is oai_dc, not %s.") % text(prefix)[:100],
        )


def record_parts(value: str, must_exist: bool) -> tuple[str, int]:
    parts = records.parse_identifier(value)
    if parts is None or (must_exist and not records.exists(*parts)):
        raise OaiError("idDoesNotExist", _("No record has the identifier %s.") % text(value)[:200])
    return parts


def get_record(root: Node, arguments: dict) -> None:
    parts = record_parts(arguments["identifier"], must_exist=False)
    require_format(arguments["metadataPrefix"])
    record = records.get(*parts)
    if record is None:
        raise OaiError(
            "idDoesNotExist", _("No record has the identifier %s.") % arguments["identifier"]
        )
    add_record(sub(root, "GetRecord"), record)


def parse_time(value: str, name: str) -> tuple[datetime, str]:
    """A from/until value and its granularity ("day" or "second"), in UTC."""
    try:
        if DAY.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), "day"
        if SECOND.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), "second"
    except ValueError:
        pass
    raise OaiError(
        "badArgument",
        _("%(name)s must be a UTC date, YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not %(value)s.")
        % {"name": name, "value": text(value)[:50]},
    )


def selection(arguments: dict) -> Selection:
    """The set and datestamp range a list request asks for."""
    chapter_slug = kind = start = end = None
    if "set" in arguments:
        parsed = records.parse_set(arguments["set"])
        if parsed is None:
            raise OaiError(
                "noRecordsMatch", _("There is no set %s.") % text(arguments["set"])[:100]
            )
        chapter_slug, kind = parsed
    granularities = set()
    if "from" in arguments:
        start, granularity = parse_time(arguments["from"], "from")
        granularities.add(granularity)
    if "until" in arguments:
        until, granularity = parse_time(arguments["until"], "until")
        granularities.add(granularity)
        step = timedelta(days=1) if granularity == "day" else timedelta(seconds=1)
        try:
            end = until + step
        except OverflowError:
            end = None
        if start is not None and start > until:
            raise OaiError("badArgument", _("from is later than until."))
    if len(granularities) > 1:
        raise OaiError("badArgument", _("from and until must have the same granularity."))
    return Selection(chapter_slug=chapter_slug, kind=kind, start=start, end=end)


def list_records(root: Node, arguments: dict, headers_only: bool = False) -> None:
    verb = "ListIdentifiers" if headers_only else "ListRecords"
    token = None
    if "resumptionToken" in arguments:
        try:
            token = tokens.load(arguments["resumptionToken"], verb)
        except tokens.BadToken as error:
            raise OaiError(
                "badResumptionToken", _("The resumption token is expired or not valid.")
            ) from error
        arguments = token.arguments
    require_format(arguments["metadataPrefix"])
    wanted = selection(arguments)
    limit = page_size()
    after = token.after if token else None
    page, more = records.page(wanted, after, limit, with_metadata=not headers_only)
    if not page:
        raise OaiError("noRecordsMatch", _("No records match this request."))
    element = sub(root, verb)
    for record in page:
        if headers_only:
            add_header(element, record)
        else:
            add_record(element, record)
    cursor = token.cursor if token else 0
    if token is None and not more:
        return
    total = token.total if token else records.count(wanted)
    total = max(total, cursor + len(page))
    attributes = {"completeListSize": str(total), "cursor": str(cursor)}
    if not more:
        sub(element, "resumptionToken", **attributes)
        return
    expires = timezone.now() + timedelta(seconds=tokens.max_age())
    following = tokens.Token(verb, arguments, page[-1].key, cursor + len(page), total)
    value = tokens.dump(following)
    sub(element, "resumptionToken", value, expirationDate=datestamp(expires), **attributes)


def list_identifiers(root: Node, arguments: dict) -> None:
    list_records(root, arguments, headers_only=True)


def add_header(parent: Node, record: Record) -> None:
    header = sub(parent, "header", status="deleted") if record.deleted else sub(parent, "header")
    sub(header, "identifier", record.identifier)
    sub(header, "datestamp", datestamp(record.key.datestamp))
    for spec in record.sets:
        sub(header, "setSpec", spec)


def add_record(parent: Node, record: Record) -> None:
    element = sub(parent, "record")
    add_header(element, record)
    if not record.deleted:
        sub(element, "metadata").children.append(Written(record.metadata))


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
    "GetRecord": get_record,
}
