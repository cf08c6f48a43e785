"""``/v1/photos``: upload photos for a report or update, serve them and their thumbnails, hide one.

Uploads are ``multipart/form-data`` with up to three files in the ``photos`` field; the answer
names each photo's id, which the report (``POST /v1/issues``) or staff update then lists in
``photo_ids``. A JSON report cannot carry files, and Open311 GeoReport v2 has only ``media_url``,
so uploading first and naming the photos after works for every client, the web app's step-by-step
form too (it keeps no state between steps).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import UploadFile

from hub_common.auth import Principal
from hub_common.errors import ProblemError
from hub_common.http import IdempotencyKeyHeader, OptionalCaller, idempotent_request, require_roles
from hub_common.uow import IdempotentRequest
from hub_issues.adapters.photos import Variant
from hub_issues.api.deps import Editor, Photos
from hub_issues.api.schemas import HideIn, PhotoOut, UploadedPhotoOut, UploadOut
from hub_issues.api.views import photo_view
from hub_issues.domain.photos import FIELD, MAX_PHOTOS
from hub_issues.service.photos import PhotoFile

router = APIRouter(prefix="/v1/photos", tags=["photos"])

FORM_OVERHEAD = 64_000  # what a multipart body adds around its files (boundaries, part headers)
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {
                        FIELD: {
                            "type": "array",
                            "maxItems": MAX_PHOTOS,
                            "items": {"type": "string", "format": "binary"},
                            "description": "JPEG, PNG or WebP (by content); each at most HUB_PHOTO_MAX_BYTES",
                        }
                    },
                }
            }
        },
    }
}

Uploader = Annotated[Principal, Depends(require_roles("resident", "partner", "staff", "operator"))]


class ContentTooLarge(ProblemError):
    status, title, type_slug = 413, "Content too large", "content-too-large"


class LengthRequired(ProblemError):
    status, title, type_slug = 411, "Length required", "length-required"


async def uploaded_files(request: Request) -> list[bytes]:
    """The files of the ``photos`` field. The body is bounded by its declared length before it is
    read (the server reads no more than that), so an oversize upload costs no memory."""
    settings = request.app.state.settings
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise LengthRequired("send the upload with a Content-Length")
    if int(length) > MAX_PHOTOS * settings.photo_max_bytes + FORM_OVERHEAD:
        raise ContentTooLarge(
            f"an upload takes at most {MAX_PHOTOS} photos of {settings.photo_max_bytes // 1_000_000} MB each",
            errors=[{"field": FIELD, "message": "the upload is too large", "type": "too_large"}],
        )
    form = await request.form(max_files=MAX_PHOTOS * 3, max_fields=MAX_PHOTOS * 3)
    # A text value in the field is judged like a file, by its content (and refused).
    return [await v.read() if isinstance(v, UploadFile) else v.encode() for v in form.getlist(FIELD)]


Files = Annotated[list[bytes], Depends(uploaded_files)]


async def photo_idempotency(
    request: Request, principal: Uploader, files: Files, key: IdempotencyKeyHeader = None
) -> IdempotentRequest | None:
    """The upload's Idempotency-Key, fingerprinted by the files' contents: a client's retry sends
    the same files under a new multipart boundary, so the body's bytes would differ."""
    if key is None:
        return None
    return idempotent_request(key, request, principal, [hashlib.sha256(data).hexdigest() for data in files])


@router.post("", status_code=201, summary="Upload up to three photos for a report or update", openapi_extra=UPLOAD_BODY)
async def upload(
    principal: Uploader,
    files: Files,
    photos: Photos,
    idempotency: Annotated[IdempotentRequest | None, Depends(photo_idempotency)],
) -> UploadOut:
    staged = await photos.upload(principal, files, idempotency)
    return UploadOut(
        items=[
            UploadedPhotoOut(
                id=p.id,
                content_type=p.content_type,
                width=p.width,
                height=p.height,
                attach_by=p.uploaded_at + photos.attach_within,
            )
            for p in staged
        ]
    )


def photo_response(request: Request, found: PhotoFile, variant: Variant) -> Response:
    etag = f'"{found.photo.id}-{variant}"'  # a photo's bytes never change
    headers = {
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
        # Public ones may sit in shared caches for a while (a hidden photo leaves them within that);
        # a hidden one, served to staff alone, never does.
        "Cache-Control": f"public, max-age={request.app.state.settings.photo_cache_s}"
        if found.public
        else "private, no-store",
    }
    if found.public and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.photo.content_type, headers=headers)


IMAGE_RESPONSES = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}}


@router.get("/{photo_id}", summary="A photo of an issue (hidden: its hub's staff only)", responses=IMAGE_RESPONSES)
@router.get("/{photo_id}/thumbnail", summary="A photo's thumbnail", responses=IMAGE_RESPONSES)
async def photo(photo_id: str, request: Request, principal: OptionalCaller, photos: Photos) -> Response:
    variant: Variant = "thumbnail" if request.scope["route"].path.endswith("/thumbnail") else "photo"
    return photo_response(request, await photos.file(principal, photo_id, variant), variant)


@router.post(
    "/{photo_id}/hide",
    summary="Hide a photo from the public (staff of its hub), with the reason",
    response_model_exclude_unset=True,
)
async def hide(photo_id: str, body: HideIn, principal: Editor, photos: Photos) -> PhotoOut:
    issue = await photos.hide(principal, photo_id, body.reason)
    return photo_view(issue.photo(photo_id), staff=True)
