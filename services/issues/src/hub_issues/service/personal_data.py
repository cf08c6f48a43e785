"""What the issues service holds about people, and their rights over it (erasure, subject access).

Issues keeps no contact details (they go to notifications on ``hub.contacts``): only opaque person
ids on reports (reporter, submitter, supporters, followers, actors in a report's history) and the
reporter's feedback. Erasure unlinks the person from every report and drops their feedback's free
text; the report itself stays as the council's anonymous public record (FixMyStreet does the same).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub_common.auth import Principal
from hub_common.contracts.contacts import ResidentContactErased
from hub_common.contracts.privacy import HeldData
from hub_common.privacy import held
from hub_common.uow import Transaction, UnitOfWork
from hub_issues.adapters.issues import IssueRepository
from hub_issues.domain.issue import Issue
from hub_issues.domain.photos import photo_path
from hub_issues.service.saving import save


class PersonalDataService:
    def __init__(self, uow: UnitOfWork, issues: IssueRepository) -> None:
        self.uow = uow
        self.issues = issues

    async def forget_me(self, caller: Principal) -> int:
        """A signed-in resident asks to be forgotten; returns how many reports were theirs."""

        async def work(tx: Transaction) -> int:
            _receipt, known, reported = await self._forget([caller.sub], tx)
            if caller.sub not in known:  # their contact may have come with a report since unlinked
                tx.publish(ResidentContactErased(person_id=caller.sub), subject=caller.sub)
            return reported

        return await self.uow.run(work)

    async def erase_people(self, person_ids: list[str], tx: Transaction) -> list[HeldData]:
        """Unlink these ids (one person's) from every report; tell notifications to erase their contact."""
        receipt, _known, _reported = await self._forget(person_ids, tx)
        return receipt

    async def _forget(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], set[str], int]:
        """Unlink them; the receipt, the ids issues knew them by, and how many reports were theirs."""
        involved = await self.issues.involving(person_ids, tx.session)
        reported, supported, followed = _counts(involved, person_ids)
        added = _photos_added(involved, person_ids)
        for issue in involved:
            forgotten = issue
            for person_id in person_ids:
                forgotten = forgotten.forgetting(person_id)
            await save(self.issues, forgotten, issue.version, tx.session)
        theirs = [issue.id for issue in involved if issue.reporter_id in person_ids]
        # Stored responses to requests by them or about their reports (a report's contact) go too.
        await tx.erase_idempotent_results([*person_ids, *theirs])
        # Their contact details came to notifications (and hub.contacts) from here under these ids: the
        # erased event supersedes them, in the contact book and in the compacted topic.
        linked = {pid for issue in involved for pid in (issue.reporter_id, *issue.supporters, *issue.followers)}
        known = {pid for pid in person_ids if pid in linked}
        for person_id in sorted(known):
            tx.publish(ResidentContactErased(person_id=person_id), subject=person_id)
        return (
            [
                *held("reports made", reported, "unlinked from you; the report stays as an anonymous public record"),
                *held("'me too's", supported, "withdrawn"),
                *held("reports followed", followed, "no longer followed"),
                *held(
                    "photos added to reports",
                    added,
                    "unlinked from you; kept with the report as its public record (their metadata was removed at "
                    "upload), and hidden by the hub's staff if they show a person",
                ),
            ],
            known,
            reported,
        )

    async def forget_closed(self, closed_before: datetime) -> int:
        """Retention: reports closed before ``closed_before`` no longer name their reporter (nor who
        followed or supported them). A reporter id minted for the report (an anonymous or partner
        report with contact details) is theirs alone, so notifications erases its contact too; a
        signed-in resident's account may have other reports and bookings, so theirs stays. Returns how
        many reports were unlinked."""
        unlinked = 0
        while ids := await self.issues.closed_with_reporter(closed_before):
            for issue_id in ids:

                async def work(tx: Transaction, issue_id: str = issue_id) -> bool:
                    issue = await self.issues.get(issue_id, tx.session)
                    if issue.reporter_id is None or issue.closed_at is None or issue.closed_at >= closed_before:
                        return False  # another worker's run, or a reopen, got here first
                    people = [issue.reporter_id, *issue.supporters, *issue.followers]
                    forgotten = issue
                    for person_id in people:
                        forgotten = forgotten.forgetting(person_id)
                    await save(self.issues, forgotten, issue.version, tx.session)
                    await tx.erase_idempotent_results([issue.id])  # a report's stored response names its contact
                    if issue.submitted_by_role != "resident":
                        tx.publish(ResidentContactErased(person_id=issue.reporter_id), subject=issue.reporter_id)
                    return True

                unlinked += await self.uow.run(work)
        return unlinked

    async def export_people(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], dict[str, Any]]:
        """Their reports (what they said and where, status, their feedback), and what they support or follow.
        Other people's part of a report (its other supporters, staff's private notes) is left out."""
        involved = await self.issues.involving(person_ids, tx.session)
        reported, supported, followed = _counts(involved, person_ids)
        mine = set(person_ids)
        export = {
            "reports": [_report(issue) for issue in involved if issue.reporter_id in mine],
            "supported": [issue.id for issue in involved if mine & set(issue.supporters)],
            "followed": [issue.id for issue in involved if mine & set(issue.followers)],
        }
        return [
            *held("reports made", reported, "exported"),
            *held("'me too's", supported, "exported"),
            *held("reports followed", followed, "exported"),
        ], export


def _counts(issues: list[Issue], person_ids: list[str]) -> tuple[int, int, int]:
    mine = set(person_ids)
    return (
        sum(issue.reporter_id in mine for issue in issues),
        sum(bool(mine & set(issue.supporters)) for issue in issues),
        sum(bool(mine & set(issue.followers)) for issue in issues),
    )


def _photos_added(issues: list[Issue], person_ids: list[str]) -> int:
    mine = set(person_ids)
    return sum(photo.added_by in mine for issue in issues for photo in issue.photos)


def _report(issue: Issue) -> dict[str, Any]:
    return {
        "id": issue.id,
        "hub_id": issue.hub_id,
        "category": issue.service_name,
        "description": issue.description,
        "position": {"lat": issue.lat, "lon": issue.lon},
        "address": issue.address,
        "photo": issue.media_url,
        # Every photo of their report, hidden ones too (the public no longer sees those).
        "photos": [
            {"id": photo.id, "url": photo_path(photo.id), "added_by_role": photo.added_by_role, "hidden": photo.hidden}
            for photo in issue.photos
        ],
        "answers": issue.attributes,
        "reported_at": issue.requested_at.isoformat(),
        "status": issue.status,
        "public_updates": [
            {"at": e.at.isoformat(), "status": e.to_status, "note": e.public_note}
            for e in issue.history
            if e.public_note
        ],
        "feedback": issue.feedback.model_dump(mode="json") if issue.feedback else None,
    }
