"""Photos of a report: which images are taken, the limits, and what an issue keeps of each photo.

A photo is uploaded first (``POST /v1/photos``: checked, re-encoded, held unattached for a short
while) and then named by the report or the staff update it belongs to, which attaches it to the
issue. The bytes live in GridFS (``adapters/photos.py``); the issue keeps a :class:`Photo`
reference per photo, so its public views and Open311's ``media_url`` need no file reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from hub_common.errors import RuleViolation

# Taken by content, whatever the file name or declared type say; the served file keeps the format.
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_PHOTOS = 3  # per report, and per staff update
FIELD = "photos"  # the form field of an upload (and the name errors give)


class Photo(BaseModel):
    """A photo attached to an issue. Hidden by staff, it is never served to the public."""

    model_config = ConfigDict(frozen=True)

    id: str
    content_type: str
    width: int
    height: int
    added_by: str | None  # opaque account id; None once that person is erased
    added_by_role: str
    added_at: datetime
    hidden: bool = False
    hidden_reason: str | None = None
    hidden_by: str | None = None
    hidden_at: datetime | None = None


@dataclass(frozen=True)
class StagedPhoto:
    """An uploaded photo not attached to an issue yet (it is deleted if none names it in time)."""

    id: str
    content_type: str
    width: int
    height: int
    uploaded_by: str
    uploaded_at: datetime

    def attached(self, *, by_role: str, at: datetime) -> Photo:
        return Photo(
            id=self.id,
            content_type=self.content_type,
            width=self.width,
            height=self.height,
            added_by=self.uploaded_by,
            added_by_role=by_role,
            added_at=at,
        )


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_pixels: int  # width x height: a small file can declare a huge image (a decompression bomb)
    max_side: int  # the served photo's longest side
    thumbnail_side: int


class PhotoRejected(Exception):
    """One uploaded file is not a photo we take; ``kind`` is the error's machine-readable type."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def photo_path(photo_id: str) -> str:
    """Where the API serves a photo (its thumbnail is under ``/thumbnail``)."""
    return f"/v1/photos/{photo_id}"


def image_format(data: bytes) -> str | None:
    """The format the file's first bytes say it is (JPEG, PNG or WebP), or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_size(data: bytes, limits: PhotoLimits) -> str:
    """The format of an upload within the size limit (raises :class:`PhotoRejected` otherwise)."""
    if not data:
        raise PhotoRejected("empty", "the file is empty")
    if len(data) > limits.max_bytes:
        raise PhotoRejected("too_large", f"the file is over {limits.max_bytes // 1_000_000} MB")
    found = image_format(data)
    if found is None:
        raise PhotoRejected("unsupported_type", "not a JPEG, PNG or WebP image (judged by its content)")
    return found


def check_pixels(width: int, height: int, limits: PhotoLimits) -> None:
    if width * height > limits.max_pixels:
        raise PhotoRejected(
            "too_many_pixels", f"the image is {width} by {height} pixels, over {limits.max_pixels:,} in all"
        )


def require_count(count: int, already: int = 0) -> None:
    """At most :data:`MAX_PHOTOS` in one upload, report or update (``already`` there before)."""
    if count + already > MAX_PHOTOS:
        room = MAX_PHOTOS - already
        raise RuleViolation(
            f"at most {MAX_PHOTOS} photos; {count} sent" + (f" and {already} there already" if already else ""),
            errors=[{"field": FIELD, "message": f"send at most {max(room, 0)} photos", "type": "too_many"}],
        )


def rejection(index: int, rejected: PhotoRejected) -> dict[str, str]:
    """The field error of the ``index``-th file of an upload."""
    return {"field": f"{FIELD}[{index}]", "message": rejected.message, "type": rejected.kind}
