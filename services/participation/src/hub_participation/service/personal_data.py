"""What the participation service holds about people, and their rights over it (erasure, subject access).

No contact details (they go to notifications on ``hub.contacts``): opaque person ids on ideas (the
proposer, supporters, followers, flaggers, staff who answered or hid one) and the display name a
proposer chose; on forum meetings, registrations (with the access needs a resident stated) and the
staff who scheduled one, minuted it or closed an action; and whose each survey answer is. A
registration erased stays an anonymous place, so the counts stay right. Erasure unlinks the person
from every idea and drops the name they chose; the idea, its wording and its counts stay,
anonymous: the hub's public record of what residents asked for. Survey answers stay in the
results, moved to an id that names no one. Memberships of a hub's citizens' panel are dropped.
A resident who signed in by an emailed link is known by the sub their address stands for: the
record of when links were sent to them goes, and so does the address notifications got from here.
Participatory budgeting: see :mod:`.pb_people`.
"""

from __future__ import annotations

from typing import Any

from hub_common.contracts.contacts import ParticipantContactErased
from hub_common.contracts.privacy import HeldData
from hub_common.privacy import held
from hub_common.residents import is_email_resident
from hub_common.uow import Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.adapters.meetings import MeetingRepository
from hub_participation.adapters.panel import PanelRepository
from hub_participation.adapters.sign_in_links import SignInLinkRepository
from hub_participation.adapters.surveys import AnswerRepository
from hub_participation.domain.idea import CouncillorComment, Idea
from hub_participation.domain.meeting import Meeting
from hub_participation.service.pb_people import PbPeople


class PersonalDataService:
    def __init__(
        self,
        uow: UnitOfWork,
        ideas: IdeaRepository,
        meetings: MeetingRepository,
        answers: AnswerRepository,
        budgeting: PbPeople,
        panel: PanelRepository,
        sign_in_links: SignInLinkRepository,
    ) -> None:
        self.panel = panel
        self.sign_in_links = sign_in_links
        self.uow = uow
        self.ideas = ideas
        self.meetings = meetings
        self.answers = answers
        self.budgeting = budgeting

    async def erase_people(self, person_ids: list[str], tx: Transaction) -> list[HeldData]:
        """Unlink these ids (one person's) from every idea; tell notifications to erase their contact."""
        involved = await self.ideas.involving(person_ids, tx.session)
        proposed, supported, followed, flagged = _counts(involved, person_ids)
        commented = len(_comments(involved, person_ids))
        for idea in involved:
            forgotten = idea
            for person_id in person_ids:
                forgotten = forgotten.forgetting(person_id)
            await self.ideas.save_if_version(forgotten, idea.version, tx.session)
        # Stored responses to their requests (a proposal names its proposer's chosen name) go too.
        await tx.erase_idempotent_results([*person_ids, *(i.id for i in involved if i.proposer_id in person_ids)])
        # Their contact details may have come to notifications from here under these ids (with an idea
        # or a follow): the erased event supersedes them, in the contact book and the compacted topic.
        meetings = await self.meetings.involving(person_ids, tx.session)
        registered = sum(_registered(meeting, person_ids) for meeting in meetings)
        for meeting in meetings:
            forgotten = meeting
            for person_id in person_ids:
                forgotten = forgotten.forgetting(person_id)
            await self.meetings.save_if_version(forgotten, meeting.version, tx.session)
        budgeting, proposers = await self.budgeting.erase(person_ids, tx)
        memberships = await self.panel.of_people(person_ids, tx.session)
        for member in memberships:  # notifications forgets whom to invite with the contact below
            await self.panel.leave(member.hub_id, member.person_id, tx.session)
        linked = {pid for idea in involved for pid in (idea.proposer_id, *idea.followers)} | proposers
        linked |= {m.person_id for m in memberships}
        # An email-signed-in resident's address went to notifications with their link requests.
        links = await self.sign_in_links.forget(person_ids, tx.session)
        linked |= {pid for pid in person_ids if is_email_resident(pid)}
        linked |= {r.person_id for meeting in meetings for r in meeting.registrations if r.person_id}
        for person_id in sorted(pid for pid in person_ids if pid in linked):
            tx.publish(ParticipantContactErased(person_id=person_id), subject=person_id)
        # Survey answers stay counted, under an id that names no one.
        answered = await self.answers.of_people(person_ids, tx.session)
        for answer in answered:
            await self.answers.unlink(answer, tx.session)
        return [
            *held(
                "forum registrations",
                registered,
                "unlinked from you, with the access needs you gave; the place stays in the counts, anonymous",
            ),
            *held("survey answers", len(answered), "unlinked from you; the answers stay in the results, anonymous"),
            *held("citizens' panel memberships", len(memberships), "ended: you will not be asked again"),
            *held("records of sign-in links sent", links, "deleted"),
            *held("ideas proposed", proposed, "unlinked from you, with the name you chose; the idea stays, anonymous"),
            *held("ideas supported", supported, "unlinked from you; the support count stays"),
            *held("ideas followed", followed, "no longer followed"),
            *held("ideas flagged", flagged, "unlinked from you; the flag stays for the moderators"),
            *held(
                "councillor comments",
                commented,
                "unlinked from you, with the name you signed; each stays, shown as a councillor's",
            ),
            *budgeting,
        ]

    async def export_people(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], dict[str, Any]]:
        """Their ideas (wording, name shown, status, answer), and the ideas they support, follow or
        flagged. Other people's part of an idea (who else supports it) is left out."""
        involved = await self.ideas.involving(person_ids, tx.session)
        proposed, supported, followed, flagged = _counts(involved, person_ids)
        mine = set(person_ids)
        export = {
            "ideas": [_idea(idea) for idea in involved if idea.proposer_id in mine],
            "supported": [idea.id for idea in involved if mine & set(idea.supporters)],
            "followed": [idea.id for idea in involved if mine & set(idea.followers)],
            "flagged": [
                {"idea_id": idea.id, "reason": flag.reason, "at": flag.at.isoformat()}
                for idea in involved
                for flag in idea.flags
                if flag.by in mine
            ],
            "councillor_comments": [
                {"idea_id": idea_id, "name": c.name, "comment": c.text, "at": c.at.isoformat()}
                for idea_id, c in _comments(involved, person_ids)
            ],
        }
        meetings = await self.meetings.involving(person_ids, tx.session)
        export["forum_registrations"] = [
            {
                "meeting_id": meeting.id,
                "title": meeting.title,
                "starts_at": meeting.starts_at.isoformat(),
                "status": r.status,
                "access_needs": r.access_needs,
                "registered_at": r.registered_at.isoformat(),
            }
            for meeting in meetings
            for r in meeting.registrations
            if r.person_id in mine
        ]
        answered = await self.answers.of_people(person_ids, tx.session)
        memberships = await self.panel.of_people(person_ids, tx.session)
        export["citizens_panels"] = [{"hub_id": m.hub_id, "joined_at": m.joined_at.isoformat()} for m in memberships]
        export["survey_answers"] = [
            {"survey_id": a["survey_id"], "answers": a["answers"], "locality": a.get("locality")} for a in answered
        ]
        budgeting, budgeting_export = await self.budgeting.export(person_ids, tx)
        export |= budgeting_export
        links = await self.sign_in_links.of_people(person_ids, tx.session)
        export["sign_in_links_sent"] = [at.isoformat() for record in links for at in record.sent]
        return [
            *held("forum registrations", len(export["forum_registrations"]), "exported"),
            *held("survey answers", len(answered), "exported"),
            *held("citizens' panel memberships", len(memberships), "exported"),
            *held("records of sign-in links sent", len(links), "exported"),
            *held("ideas proposed", proposed, "exported"),
            *held("ideas supported", supported, "exported"),
            *held("ideas followed", followed, "exported"),
            *held("ideas flagged", flagged, "exported"),
            *held("councillor comments", len(export["councillor_comments"]), "exported"),
            *budgeting,
        ], export


def _comments(ideas: list[Idea], person_ids: list[str]) -> list[tuple[str, CouncillorComment]]:
    """The comments these ids (one councillor's) made, with their ideas' ids."""
    mine = set(person_ids)
    return [(idea.id, c) for idea in ideas for c in idea.councillor_comments if c.by in mine]


def _counts(ideas: list[Idea], person_ids: list[str]) -> tuple[int, int, int, int]:
    mine = set(person_ids)
    return (
        sum(idea.proposer_id in mine for idea in ideas),
        sum(bool(mine & set(idea.supporters)) for idea in ideas),
        sum(bool(mine & set(idea.followers)) for idea in ideas),
        sum(any(flag.by in mine for flag in idea.flags) for idea in ideas),
    )


def _registered(meeting: Meeting, person_ids: list[str]) -> int:
    return sum(r.person_id in person_ids for r in meeting.registrations)


def _idea(idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.id,
        "hub_id": idea.hub_id,
        **idea.wording.model_dump(mode="json"),
        "shown_as": idea.proposed_by,
        "status": idea.status,
        "support_count": idea.support_count,
        "proposed_at": idea.proposed_at.isoformat(),
        "edits": [edit.model_dump(mode="json") for edit in idea.edits],
        "response": idea.response.model_dump(mode="json", exclude={"by"}) if idea.response else None,
    }
