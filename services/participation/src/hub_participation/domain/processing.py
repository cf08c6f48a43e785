"""The participation service's record of processing (rendered by ``hub privacy ropa``). Participation
keeps no contact details (a proposer's go to notifications on ``hub.contacts``): the opaque ids that
stand for people, the name a proposer chose to be shown by, what they wrote, and what a resident
registering for a forum meeting said about their access needs."""

from __future__ import annotations

from hub_common.ropa import Declaration, Processing
from hub_participation.domain.idea import CouncillorComment, Flag, Idea, Progress, Wording
from hub_participation.domain.meeting import AgendaItem, ForumAction, Meeting, Minutes, Place, Registration
from hub_participation.domain.panel import PanelMember
from hub_participation.domain.pb_count import Ballot
from hub_participation.domain.pb_proposal import ProjectUpdate, Proposal
from hub_participation.domain.pb_round import Round
from hub_participation.domain.priority import OpenIssue
from hub_participation.domain.sign_in import LinksSent
from hub_participation.domain.survey import SurveyAnswer

DECLARATION = Declaration(
    service="participation",
    processing=(
        Processing(
            "ideas proposed",
            Idea,
            ("proposer_id", "display_name"),
            purpose="residents setting the local agenda; telling the proposer what happens to their idea",
            lawful_basis="consent (they propose it, and choose the name shown)",
            retention="until the person asks to be forgotten (the idea stays, anonymous)",
            recipients="the public (the chosen name), notifications (the id, to send updates)",
        ),
        Processing(
            "what an idea says",
            Wording,
            ("title", "description", "category"),
            purpose="the idea itself, and its public edit history",
            lawful_basis="public task",
            retention="kept as the public record",
            recipients="the public",
        ),
        Processing(
            "support and follows",
            Idea,
            ("supporters", "followers"),
            purpose="one support per person; telling followers about the idea",
            lawful_basis="consent (they support or follow it)",
            retention="until erasure; the support count stays, anonymous",
            recipients="notifications (followers' ids, to send updates); supporters are never published",
        ),
        Processing(
            "survey answers",
            SurveyAnswer,
            ("respondent", "answers", "locality"),
            purpose="consultations and surveys: once each, counted into anonymous results",
            lawful_basis="consent (they choose to answer)",
            retention="until the person asks to be forgotten; the answers stay in the results, anonymous",
            recipients="the public and partners (anonymous results only); staff read free text without whose",
        ),
        Processing(
            "flags",
            Flag,
            ("by", "reason"),
            purpose="moderation",
            lawful_basis="public task",
            retention="kept for the hub's moderators; the flagger's id goes at erasure",
        ),
        Processing(
            "ward councillors' comments",
            CouncillorComment,
            ("by", "name", "text"),
            purpose="an elected councillor answering residents' ideas for the ward they represent, in public",
            lawful_basis="public task (their office)",
            retention="until the councillor asks to be forgotten (the comment stays, shown as a councillor's)",
            recipients="the public (name and comment), notifications (the idea's followers are told, with the name)",
        ),
        Processing(
            "forum meeting registrations",
            Registration,
            ("person_id", "access_needs"),
            purpose="a place at the hub's resident forum; arranging the meeting for the access needs stated "
            "(step-free access, a hearing loop, an interpreter)",
            lawful_basis="consent (they register, and choose what to tell about their needs); access needs may be "
            "health data: explicit consent",
            retention="until the person asks to be forgotten (the place stays in the counts, anonymous)",
            recipients="notifications (the id, to send the invitation and reminder); the hub's staff see the "
            "access needs without whose they are (each read in the access audit); never published",
        ),
        Processing(
            "staff who run a forum meeting",
            Meeting,
            ("scheduled_by",),
            purpose="who scheduled a meeting, for the hub's own records",
            lawful_basis="public task",
            retention="until erasure",
        ),
        Processing(
            "staff who minute a meeting",
            Minutes,
            ("by",),
            purpose="who published the minutes",
            lawful_basis="public task",
            retention="until erasure",
        ),
        Processing(
            "participatory budgeting proposals",
            Proposal,
            ("proposer_id",),
            purpose="residents proposing how the hub spends a budget; telling them when voting opens and the results",
            lawful_basis="consent (they submit it)",
            retention="until the person asks to be forgotten (the proposal stays, anonymous)",
            recipients="notifications (the id, on the submission event); the public sees the proposal, never whose",
        ),
        Processing(
            "participatory budgeting ballots",
            Ballot,
            ("id",),
            purpose="one vote per resident and round, which they may change while voting is open; recounts",
            lawful_basis="consent (they vote)",
            retention="until erasure: withdrawn while voting is open, otherwise kept counted under an id naming no one",
            recipients="no one: the id is a keyed hash of the voter's id (HUB_PB_BALLOT_KEY), results are counts",
        ),
        Processing(
            "citizens' panel memberships",
            PanelMember,
            ("person_id",),
            purpose="asking the residents who joined a hub's citizens' panel to take its surveys",
            lawful_basis="consent (they join, and may leave at any time)",
            retention="until they leave the panel or ask to be forgotten",
            recipients="notifications (the id, on the panel events, to send survey invitations)",
        ),
        Processing(
            "residents signing in by email",
            LinksSent,
            ("id", "sent"),
            purpose="one ballot per resident and round, one answer per survey, across devices: the resident is "
            "the address they proved by an emailed link; the times links were sent limit them to a few an hour",
            lawful_basis="consent (they ask for the link)",
            retention="an hour after the last link (the database deletes the record), or at erasure; the address "
            "itself is never stored here",
            recipients="notifications (the address and the sub, on hub.contacts, to email the link); the sub is a "
            "keyed hash of the address (HUB_RESIDENT_SIGN_IN_KEY) and names no one",
        ),
        Processing(
            "staff who run a budgeting round",
            Round,
            ("created_by",),
            purpose="who created a round, for the hub's own records",
            lawful_basis="public task",
            retention="until erasure",
        ),
    ),
    not_personal={
        (ProjectUpdate, "note"): "staff's public note on a funded project's progress",
        (Progress, "note"): "staff's public note on an accepted idea's progress",
        (Place, "name"): "the name and address of the meeting's room or 'Online'",
        (Place, "room_note"): "the assets service's reason about the room booking",
        (AgendaItem, "note"): "staff's public note on an agenda item",
        (ForumAction, "done_note"): "staff's public note on what was done",
        (ForumAction, "owner"): "the team or role that owns a forum action (public), not a resident",
        (OpenIssue, "service_name"): "the public name of a reported problem's category, as Open311 lists it",
    },
)
