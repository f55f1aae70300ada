"""Slides uploads: the type is read from the file's content, never from its name."""

import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ODP = "application/vnd.oasis.opendocument.presentation"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
EXTENSIONS = {"application/pdf": "pdf", ODP: "odp", PPTX: "pptx"}


def slides_type(upload) -> str:
    """The media type of a PDF, ODP or PPTX file, judged by its bytes."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return office_type(upload)
    return ""


def office_type(upload) -> str:
    """ODP names itself in a `mimetype` entry; PPTX has its presentation part."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODP.encode():
                return ODP
            if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                return PPTX
    except (zipfile.BadZipFile, KeyError, OSError):
        return ""
    finally:
        upload.seek(0)
    return ""


def validate_slides(upload) -> str:
    """Check size and content; return the media type, or raise a clear ValidationError."""
    limit = settings.MAX_SLIDES_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; slides can be at most %(limit)d MB.")
            % {"size": upload.size / 1024 / 1024, "limit": settings.MAX_SLIDES_MB},
            code="too_big",
        )
    media_type = slides_type(upload)
    if not media_type:
        raise ValidationError(
            _("Upload slides as PDF, ODP or PPTX; this file is none of them."), code="type"
        )
    return media_type


def slides_path(talk, filename: str) -> str:
    """A random stored name with the extension of the detected type."""
    extension = EXTENSIONS.get(getattr(talk, "_slides_type", ""), "bin")
    return f"slides/{talk.meeting_id}/{uuid.uuid4().hex}.{extension}"
