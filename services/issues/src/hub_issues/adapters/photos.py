"""The photos' bytes, in GridFS in the issues database (bucket ``photos``): each photo and its thumbnail.

GridFS takes no part in transactions (PyMongo refuses it), so a photo's files are written before
the unit of work that attaches it to an issue, and that unit of work reads their metadata (a plain
collection read, which a transaction allows). Files no issue ever named are deleted by the sweep
(:meth:`unattached_before`), which the retention schedule runs.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, Literal

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.errors import NotFound
from hub_common.mongo import IndexSpec
from hub_common.repository import Session
from hub_issues.adapters.imaging import ProcessedPhoto
from hub_issues.domain.photos import StagedPhoto

BUCKET = "photos"
FILES, CHUNKS = f"{BUCKET}.files", f"{BUCKET}.chunks"
Variant = Literal["photo", "thumbnail"]
VARIANTS: tuple[Variant, ...] = ("photo", "thumbnail")

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        FILES,
        (
            # GridFS's own index (declared here so that it exists before the first upload).
            IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)], name="filename_upload"),
            IndexModel([("metadata.photo_id", ASCENDING)], name="photo"),
            IndexModel([("metadata.attached", ASCENDING), ("metadata.uploaded_at", ASCENDING)], name="unattached"),
        ),
    ),
    IndexSpec(CHUNKS, (IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], name="files_id_n", unique=True),)),
)


def file_id(photo_id: str, variant: Variant) -> str:
    return f"{photo_id}:{variant}"


class PhotoFiles:
    """The only code that touches the ``photos`` bucket."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)
        self.files = db[FILES]

    async def store(self, photo: StagedPhoto, processed: ProcessedPhoto) -> None:
        metadata: dict[str, Any] = {
            "photo_id": photo.id,
            "content_type": photo.content_type,
            "width": photo.width,
            "height": photo.height,
            "uploaded_by": photo.uploaded_by,
            "uploaded_at": photo.uploaded_at,
            "attached": False,
        }
        for variant, data in (("photo", processed.data), ("thumbnail", processed.thumbnail)):
            await self.bucket.upload_from_stream_with_id(
                file_id(photo.id, variant), photo.id, data, metadata={**metadata, "variant": variant}
            )

    async def staged(self, photo_ids: list[str], session: Session = None) -> dict[str, StagedPhoto]:
        """The uploaded photos among these ids, by id (read inside the unit of work attaching them)."""
        query = {"metadata.photo_id": {"$in": photo_ids}, "metadata.variant": "photo"}
        found: dict[str, StagedPhoto] = {}
        async for doc in self.files.find(query, {"metadata": 1}, session=session):
            meta = doc["metadata"]
            found[meta["photo_id"]] = StagedPhoto(
                id=meta["photo_id"],
                content_type=meta["content_type"],
                width=meta["width"],
                height=meta["height"],
                uploaded_by=meta["uploaded_by"],
                uploaded_at=meta["uploaded_at"],
            )
        return found

    async def read(self, photo_id: str, variant: Variant) -> bytes:
        try:
            stream = await self.bucket.open_download_stream(file_id(photo_id, variant))
        except NoFile:
            raise NotFound(f"there is no photo {photo_id!r}") from None
        return await stream.read()

    async def mark_attached(self, photo_ids: list[str]) -> None:
        """Once an issue names them, the sweep passes over these files."""
        if photo_ids:
            query = {"metadata.photo_id": {"$in": photo_ids}}
            await self.files.update_many(query, {"$set": {"metadata.attached": True}})

    async def unattached_before(self, cutoff: datetime, limit: int) -> list[str]:
        """Ids of photos uploaded before ``cutoff`` and not marked attached (the ``unattached`` index)."""
        query = {"metadata.attached": False, "metadata.uploaded_at": {"$lt": cutoff}, "metadata.variant": "photo"}
        docs = await self.files.find(query, {"metadata.photo_id": 1}).limit(limit).to_list()
        return [doc["metadata"]["photo_id"] for doc in docs]

    async def delete(self, photo_ids: list[str]) -> None:
        for photo_id in photo_ids:
            for variant in VARIANTS:
                with contextlib.suppress(NoFile):  # a sweep or an earlier compensation removed it already
                    await self.bucket.delete(file_id(photo_id, variant))
