"""Photos: uploading them (checked and re-encoded), attaching them to a report or a staff update,
serving them to the public, and moderation.

An upload stores the files at once, unattached; the report (``photo_ids``) or staff update that
names them attaches them in its own unit of work. Every file of an upload is checked before any is
stored, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.errors import NotFound, RuleViolation
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_issues.adapters.imaging import ProcessedPhoto, process
from hub_issues.adapters.issues import IssueRepository
from hub_issues.adapters.photos import PhotoFiles, Variant
from hub_issues.domain.issue import Issue
from hub_issues.domain.photos import FIELD, Photo, PhotoLimits, PhotoRejected, StagedPhoto, rejection, require_count
from hub_issues.service.saving import save

SWEEP_BATCH = 200
REFS_FIELD = "photo_ids"  # how a report or an update names its uploaded photos


@dataclass(frozen=True)
class PhotoFile:
    """A photo's bytes to serve, and whether the public may see them (else only its hub's staff)."""

    photo: Photo
    data: bytes
    public: bool


class PhotoService:
    def __init__(
        self,
        uow: UnitOfWork,
        issues: IssueRepository,
        files: PhotoFiles,
        *,
        clock: Clock,
        limits: PhotoLimits,
        attach_within: timedelta,
    ) -> None:
        self.uow = uow
        self.issues = issues
        self.files = files
        self.clock = clock
        self.limits = limits
        self.attach_within = attach_within

    # -- upload and attach ---------------------------------------------------------------------------

    async def upload(
        self, caller: Principal, uploads: list[bytes], idempotency: IdempotentRequest | None = None
    ) -> list[StagedPhoto]:
        """Check, re-encode and store up to three photos for a report or update the caller sends next."""
        if not uploads:
            raise RuleViolation(
                "send one to three photos", errors=[{"field": FIELD, "message": "no photo sent", "type": "missing"}]
            )
        require_count(len(uploads))
        processed = await self._process_all(uploads)
        now = self.clock()
        staged = [
            StagedPhoto(
                id=f"pho-{uuid.uuid4().hex}",
                content_type=p.content_type,
                width=p.width,
                height=p.height,
                uploaded_by=caller.sub,
                uploaded_at=now,
            )
            for p in processed
        ]
        for photo, files in zip(staged, processed, strict=True):
            await self.files.store(photo, files)
        if idempotency is None:
            return staged

        async def remember(tx: Transaction) -> list[StagedPhoto]:
            return staged  # only the Idempotency-Key record is written

        answered: list[StagedPhoto] | None = None
        try:
            answered = await self.uow.run(remember, idempotency=idempotency, result_type=list[StagedPhoto])
        finally:
            # A repeat answers with the first upload's photos; a key used for other photos (or a failed
            # database) answers with none: either way these files are not kept.
            if answered != staged:
                await self.files.delete([photo.id for photo in staged])
        return answered

    async def _process_all(self, uploads: list[bytes]) -> list[ProcessedPhoto]:
        processed, errors = [], []
        for index, data in enumerate(uploads):
            try:
                # Decoding and encoding are CPU-bound: off the event loop, so other requests go on.
                processed.append(await asyncio.to_thread(process, data, self.limits))
            except PhotoRejected as rejected:
                errors.append(rejection(index, rejected))
        if errors:
            raise RuleViolation("some photos were refused, so none was stored; see 'errors'", errors=errors)
        return processed

    async def attachable(
        self, tx: Transaction, caller: Principal, photo_ids: list[str], *, at: datetime
    ) -> list[Photo]:
        """The photos ``photo_ids`` names, ready to attach in this unit of work: each uploaded by the
        caller within ``HUB_PHOTO_ATTACH_MINUTES`` and attached to no issue yet."""
        if not photo_ids:
            return []
        require_count(len(photo_ids))
        ids = list(dict.fromkeys(photo_ids))
        staged = await self.files.staged(ids, tx.session)
        taken = await self.issues.attached_photos(ids, tx.session)
        errors = []
        for index, photo_id in enumerate(ids):
            photo = staged.get(photo_id)
            if photo is None or photo.uploaded_by != caller.sub:
                errors.append(_ref_error(index, "you uploaded no photo with this id", "unknown"))
            elif photo_id in taken:
                errors.append(_ref_error(index, "this photo is attached to an issue already", "attached"))
            elif at - photo.uploaded_at > self.attach_within:
                errors.append(_ref_error(index, "uploaded too long ago: upload it again", "expired"))
        if errors:
            raise RuleViolation("some photos cannot be attached; see 'errors'", errors=errors)
        return [staged[photo_id].attached(by_role=caller.role, at=at) for photo_id in ids]

    async def attached(self, photo_ids: list[str]) -> None:
        """After the unit of work that attached them committed: the sweep leaves their files alone."""
        await self.files.mark_attached(photo_ids)

    async def remove_unattached(self, cutoff: datetime) -> int:
        """Retention: photos uploaded before ``cutoff`` that no report or update named are deleted."""
        removed = 0
        while candidates := await self.files.unattached_before(cutoff, SWEEP_BATCH):
            # An attachment whose commit was not followed by its mark (a crash between) is marked now.
            named = await self.issues.attached_photos(candidates)
            await self.files.mark_attached(sorted(named))
            orphans = [photo_id for photo_id in candidates if photo_id not in named]
            await self.files.delete(orphans)
            removed += len(orphans)
            if len(candidates) < SWEEP_BATCH:
                break
        return removed

    # -- serving and moderation ------------------------------------------------------------------------

    async def file(self, caller: Principal | None, photo_id: str, variant: Variant) -> PhotoFile:
        """A photo (or its thumbnail) of an issue. A hidden photo is served to its hub's staff alone,
        who moderate it; for everyone else it does not exist. An unattached upload is served to no one."""
        issue = await self.issues.with_photo(photo_id)
        if issue is None:
            raise NotFound(f"there is no photo {photo_id!r}")
        photo = issue.photo(photo_id)
        if photo.hidden and not (caller is not None and caller.is_staff_for(issue.hub_id)):
            raise NotFound(f"there is no photo {photo_id!r}")
        return PhotoFile(photo=photo, data=await self.files.read(photo_id, variant), public=not photo.hidden)

    async def hide(self, caller: Principal, photo_id: str, reason: str) -> Issue:
        """Staff of the issue's hub hide a photo from the public, saying why (kept for staff)."""
        found = await self.issues.with_photo(photo_id)
        if found is None:
            raise NotFound(f"there is no photo {photo_id!r}")
        caller.require_staff_for(found.hub_id)
        now = self.clock()

        async def work(tx: Transaction) -> Issue:
            issue = await self.issues.get(found.id, tx.session)
            hidden = issue.photo_hidden(photo_id, reason=reason.strip(), by=caller.sub, at=now)
            return await save(self.issues, hidden, issue.version, tx.session) if hidden is not issue else issue

        return await self.uow.run(work)


def _ref_error(index: int, message: str, kind: str) -> dict[str, str]:
    return {"field": f"{REFS_FIELD}[{index}]", "message": message, "type": kind}
