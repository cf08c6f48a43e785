"""Events published by the participation service (``hub.participation.events``).

Ideas residents propose for their hub, the support they gather, staff's public response and the
progress of an accepted idea (its action). People appear only as opaque ids: the proposer (whom
notifications tells when the idea reaches its threshold or gets a response) and a follower (who
hears its updates). A support is a count, never whose it is: backing a local proposal can say
something about a person's opinions, and no consumer needs to know who gave it. The display name a
proposer chooses stays in the service's own pages; contact details travel on ``hub.contacts``.
A ward councillor's public comment on an idea carries the name they comment as: it is public in
their office, on the idea's page and in what its followers are told.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from hub_common.contracts.common import GeoPoint
from hub_common.contracts.registry import EventData, event_contract
from hub_common.contracts.topics import inbound_topic

IdeaOutcome = Literal["accepted", "not_taken_forward"]


class IdeaEvent(EventData):
    """What every idea event says: which idea, in which hub."""

    idea_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)


@event_contract("hub.participation.idea.proposed.v1")
class IdeaProposed(IdeaEvent):
    """A resident proposed an idea for their hub; it is open for support."""

    title: str = Field(min_length=1, max_length=120)
    category: str | None = Field(default=None, max_length=60)
    location: GeoPoint | None = None
    proposer_id: str = Field(min_length=1, max_length=128, description="opaque person id, never contact data")
    support_threshold: int = Field(ge=1, description="supports that take it to a response from the hub")
    proposed_at: datetime


@event_contract("hub.participation.idea.supported.v1")
class IdeaSupported(IdeaEvent):
    """Someone supported an idea (one support per person); the count only, never whose it is."""

    support_count: int = Field(ge=1)
    support_threshold: int = Field(ge=1)
    supported_at: datetime


@event_contract("hub.participation.idea.threshold_reached.v1")
class IdeaThresholdReached(IdeaEvent):
    """An idea gathered its hub's support threshold: it waits for the hub's response (once per idea)."""

    title: str = Field(min_length=1, max_length=120)
    proposer_id: str | None = Field(default=None, max_length=128, description="opaque person id (None once erased)")
    support_count: int = Field(ge=1)
    support_threshold: int = Field(ge=1)
    reached_at: datetime


@event_contract("hub.participation.idea.responded.v1")
class IdeaResponded(IdeaEvent):
    """Hub staff answered an idea in public: accepted (it becomes an action) or not taken forward."""

    title: str = Field(min_length=1, max_length=120)
    proposer_id: str | None = Field(default=None, max_length=128, description="opaque person id (None once erased)")
    outcome: IdeaOutcome
    response: str = Field(min_length=1, max_length=4000, description="the hub's public answer, with its reason")
    support_count: int = Field(ge=0)
    responded_by: str | None = Field(default=None, max_length=128, description="opaque staff account id")
    responded_at: datetime


@event_contract("hub.participation.idea.hidden.v1")
class IdeaHidden(IdeaEvent):
    """Hub staff hid an idea (it takes no more support); the reason is public."""

    reason: str = Field(min_length=1, max_length=500)
    hidden_at: datetime


@event_contract("hub.participation.idea.followed.v1")
class IdeaFollowed(IdeaEvent):
    """Someone asked to hear an idea's updates (its proposer follows it from the start)."""

    follower_id: str = Field(min_length=1, max_length=128, description="opaque person id")
    followed_at: datetime


@event_contract("hub.participation.action.progress_published.v1")
class ActionProgressPublished(IdeaEvent):
    """Hub staff published progress on an accepted idea's action ("You Said, We Did")."""

    title: str = Field(min_length=1, max_length=120)
    note: str = Field(min_length=1, max_length=4000)
    done: bool = Field(description="the action is complete")
    support_count: int | None = Field(
        default=None, ge=0, description="residents who supported the idea (absent from older events)"
    )
    published_by: str | None = Field(default=None, max_length=128, description="opaque staff account id")
    published_at: datetime


@event_contract("hub.participation.idea.councillor_commented.v1")
class IdeaCouncillorCommented(IdeaEvent):
    """A ward councillor of the idea's hub commented on it in public, as a councillor (the idea's
    status is unchanged: the hub's staff still answer it). Its followers hear the comment."""

    title: str = Field(min_length=1, max_length=120)
    comment_id: str = Field(min_length=1, max_length=64)
    comment: str = Field(min_length=1, max_length=4000, description="what the councillor said, in public")
    councillor_name: str = Field(
        min_length=1, max_length=80, description="the public name the councillor comments as (their office)"
    )
    councillor_id: str = Field(min_length=1, max_length=128, description="opaque councillor account id")
    commented_at: datetime


# --- Forum meetings --------------------------------------------------------------------------
# A hub's resident forum: scheduled by its staff (in a room booked through the assets service, or
# online), with an agenda drawn from its most supported ideas and staff items; residents register
# (capacity, waitlist); staff publish minutes with actions, each tracked to done. Registrants appear
# as opaque ids only (notifications tells them); what they said about access needs never leaves the
# service.

MeetingPlaceKind = Literal["room", "online"]


class MeetingEvent(EventData):
    """What every forum meeting event says: which meeting, in which hub."""

    meeting_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)


class MeetingFacts(MeetingEvent):
    """The meeting as a message about it needs it: what, when and where (all public)."""

    title: str = Field(min_length=1, max_length=120)
    starts_at: datetime
    ends_at: datetime
    place: str = Field(min_length=1, max_length=300, description="where: the room's name and address, or 'online'")
    online_url: str | None = Field(default=None, max_length=500, description="the link to join, if online")


@event_contract("hub.participation.meeting.scheduled.v1")
class MeetingScheduled(MeetingFacts):
    """Hub staff scheduled a resident forum meeting; residents may register."""

    place_kind: MeetingPlaceKind
    room_id: str | None = Field(default=None, max_length=64, description="the assets service's room, if in one")
    capacity: int = Field(ge=1)
    waitlist: bool
    agenda: list[str] = Field(default_factory=list, max_length=50, description="the agenda items' titles")
    scheduled_at: datetime


@event_contract("hub.participation.meeting.cancelled.v1")
class MeetingCancelled(MeetingFacts):
    """Hub staff called a meeting off; everyone registered or waiting is told."""

    reason: str = Field(min_length=1, max_length=500)
    registrant_ids: list[str] = Field(default_factory=list, description="opaque person ids of those registered")
    cancelled_at: datetime


@event_contract("hub.participation.meeting.room_changed.v1")
class MeetingRoomChanged(MeetingEvent):
    """What the assets service answered about the meeting's room booking (confirmed, declined...)."""

    room_id: str = Field(min_length=1, max_length=64)
    room_status: Literal["requested", "awaiting_approval", "confirmed", "declined", "cancelled"]
    reason: str | None = Field(default=None, max_length=500)
    changed_at: datetime


class RegistrationEvent(MeetingFacts):
    """A resident's place at a meeting after a change (the person as an opaque id only)."""

    registration_id: str = Field(min_length=1, max_length=64)
    person_id: str = Field(min_length=1, max_length=128, description="opaque person id, never contact data")


@event_contract("hub.participation.registration.confirmed.v1")
class RegistrationConfirmed(RegistrationEvent):
    """A resident has a place at the meeting (their invitation, and a reminder before it)."""

    registered_at: datetime


@event_contract("hub.participation.registration.waitlisted.v1")
class RegistrationWaitlisted(RegistrationEvent):
    """The meeting is full: the resident waits for a place (promoted in order when one is freed)."""

    position: int = Field(ge=1, description="their place on the waitlist")
    registered_at: datetime


@event_contract("hub.participation.registration.promoted.v1")
class RegistrationPromoted(RegistrationEvent):
    """Someone cancelled: the first on the waitlist now has a place."""

    promoted_at: datetime


@event_contract("hub.participation.registration.cancelled.v1")
class RegistrationCancelled(RegistrationEvent):
    """The resident gave up their place (or their place on the waitlist)."""

    cancelled_at: datetime


class ForumActionItem(EventData):
    action_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=120, description="the team or role that will do it")
    due_on: date


@event_contract("hub.participation.meeting.minutes_published.v1")
class MinutesPublished(MeetingEvent):
    """Hub staff published a meeting's minutes and the actions agreed; those registered are told."""

    title: str = Field(min_length=1, max_length=120)
    starts_at: datetime
    minutes: str = Field(min_length=1, max_length=20_000)
    actions: list[ForumActionItem] = Field(default_factory=list, max_length=50)
    registrant_ids: list[str] = Field(default_factory=list, description="opaque person ids of those who had a place")
    published_at: datetime


@event_contract("hub.participation.forum_action.completed.v1")
class ForumActionCompleted(MeetingEvent):
    """An action agreed at a forum meeting is done ("You Said, We Did")."""

    action_id: str = Field(min_length=1, max_length=64)
    meeting_title: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=120)
    due_on: date
    note: str = Field(min_length=1, max_length=4000, description="what was done")
    completed_by: str | None = Field(default=None, max_length=128, description="opaque staff account id")
    completed_at: datetime


@event_contract("hub.participation.room_booking.requested.v1", topic=inbound_topic("assets"))
class RoomBookingRequested(EventData):
    """The participation service asks the assets service for a room, on ``hub.assets.inbound``.

    Only ``ce_source`` ``/hub/participation`` is accepted (assets dead-letters any other sender; in
    production only the participation service's Kafka user may write it besides the partners). The
    hub's staff who scheduled the meeting are the booker, checked by participation as staff of the
    hub; the assets service applies its booking rules and answers with
    ``hub.assets.room_booking.answered.v1`` carrying ``request_id``.
    """

    request_id: str = Field(min_length=1, max_length=64, description="the correlation id (the meeting id)")
    hub_id: str = Field(min_length=1, max_length=64)
    room_id: str = Field(min_length=1, max_length=64)
    starts_at: datetime
    ends_at: datetime
    purpose: str = Field(default="", max_length=500)
    attendees: int | None = Field(default=None, ge=1)
    requested_by: str = Field(min_length=1, max_length=128, description="opaque id of the hub staff member")
    requested_at: datetime


@event_contract("hub.participation.room_booking.released.v1", topic=inbound_topic("assets"))
class RoomBookingReleased(EventData):
    """The participation service gives back the room it asked for (``room_booking.requested`` with
    the same ``request_id``): the forum meeting was called off. The assets service cancels the booking
    made for that request, if it still stands, and answers with ``room_booking.answered.v1``
    (cancelled); a request it never booked, or a booking already over, changes nothing. Only from
    ``ce_source`` ``/hub/participation``, like the request, on the same key so it follows it."""

    request_id: str = Field(min_length=1, max_length=64, description="the request's correlation id (the meeting id)")
    hub_id: str = Field(min_length=1, max_length=64)
    room_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500, description="why the room is not needed, e.g. the meeting's")
    released_by: str = Field(min_length=1, max_length=128, description="opaque id of the hub staff member")
    released_at: datetime


# --- surveys and consultations ----------------------------------------------------------------------


class SurveyEvent(EventData):
    """What every survey event says: which survey, in which hub."""

    survey_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)


@event_contract("hub.participation.survey.opened.v1")
class SurveyOpened(SurveyEvent):
    """A hub opened a survey or consultation for residents' answers."""

    title: str = Field(min_length=1, max_length=160)
    template: str | None = Field(default=None, max_length=40, description='e.g. "place_standard"')
    questions: int = Field(ge=1)
    opened_at: datetime
    closes_at: datetime | None = None
    panel_invited: bool = Field(default=False, description="the hub's citizens' panel is asked to answer it")
    series_id: str | None = Field(
        default=None, max_length=64, description="a repeating survey: its waves share this (the first wave's id)"
    )
    wave: int | None = Field(default=None, ge=1, description="a repeating survey: which wave this is (1 = first)")
    next_wave_at: datetime | None = Field(default=None, description="a repeating survey: when its next wave opens")


@event_contract("hub.participation.panel.joined.v1")
class PanelJoined(EventData):
    """A resident joined a hub's citizens' panel: they agree to be asked to take its surveys (once
    per membership; notifications keeps who to invite). The contact details go on ``hub.contacts``."""

    hub_id: str = Field(min_length=1, max_length=64)
    person_id: str = Field(min_length=1, max_length=128, description="opaque person id")
    joined_at: datetime


@event_contract("hub.participation.panel.left.v1")
class PanelLeft(EventData):
    """A resident left a hub's citizens' panel: they are not asked again."""

    hub_id: str = Field(min_length=1, max_length=64)
    person_id: str = Field(min_length=1, max_length=128, description="opaque person id")
    left_at: datetime


class SurveyQuestionResult(EventData):
    """One question's anonymous result: counts per option or scale point, a scale's mean (overall and
    per locality), a ranking's average place per option. Free text is counted, never carried."""

    question_id: str = Field(min_length=1, max_length=40)
    kind: Literal["single", "multiple", "scale", "text", "ranking"]
    text: str = Field(min_length=1, max_length=300)
    answered: int = Field(ge=0)
    counts: dict[str, int] = Field(default_factory=dict)
    mean: float | None = None
    average_place: dict[str, float] = Field(default_factory=dict)
    by_locality: dict[str, float] = Field(default_factory=dict)


@event_contract("hub.participation.survey.closed.v1")
class SurveyClosed(SurveyEvent):
    """A survey closed, with its anonymous results: "one conversation, many destinations" — other
    services and partners read these instead of asking residents the same questions again."""

    title: str = Field(min_length=1, max_length=160)
    template: str | None = Field(default=None, max_length=40)
    respondents: int = Field(ge=0)
    results: list[SurveyQuestionResult]
    closed_at: datetime
    series_id: str | None = Field(default=None, max_length=64, description="a repeating survey's series")
    wave: int | None = Field(default=None, ge=1, description="a repeating survey: which wave closed")


# --- participatory budgeting ------------------------------------------------------------------------
# A hub puts a budget (in pence) to its residents: they submit costed proposals, staff review them,
# residents vote once each (allocation within the budget, or approval) and the winners are funded and
# tracked to delivery. Keyed by the round id (the order of a round's events holds). No event says who
# voted or how: results are counts. A proposal's submitter appears as an opaque id on its submission
# only, which notifications uses to tell them when voting opens and the results are out.


class PbRoundEvent(EventData):
    """What every participatory budgeting event says: which round, in which hub."""

    round_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)


@event_contract("hub.participation.pb_round.proposals_opened.v1")
class PbProposalsOpened(PbRoundEvent):
    """A round takes residents' proposals."""

    title: str = Field(min_length=1, max_length=160)
    budget: int = Field(ge=1, description="in pence")
    method: Literal["allocation", "approval"]
    proposals_close_at: datetime | None = None
    opened_at: datetime


@event_contract("hub.participation.pb_proposal.submitted.v1")
class PbProposalSubmitted(PbRoundEvent):
    """A resident submitted a proposal to a round (it waits for the hub's review)."""

    proposal_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=160)
    estimated_cost: int = Field(ge=1, description="in pence, the proposer's estimate")
    proposer_id: str = Field(min_length=1, max_length=128, description="opaque person id, never contact data")
    submitted_at: datetime


@event_contract("hub.participation.pb_proposal.reviewed.v1")
class PbProposalReviewed(PbRoundEvent):
    """Hub staff reviewed a proposal: eligible (on the ballot, at its final cost) or not, with the public reason."""

    proposal_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=160)
    eligible: bool
    final_cost: int | None = Field(default=None, ge=1, description="in pence, when eligible")
    reason: str | None = Field(default=None, max_length=1000)
    reviewed_at: datetime


@event_contract("hub.participation.pb_round.voting_opened.v1")
class PbVotingOpened(PbRoundEvent):
    """A round's ballot is open: each resident may vote once (and change their ballot until it closes)."""

    title: str = Field(min_length=1, max_length=160)
    budget: int = Field(ge=1, description="in pence")
    method: Literal["allocation", "approval"]
    max_approvals: int | None = Field(default=None, ge=1)
    projects: int = Field(ge=1, description="eligible proposals on the ballot")
    opens_at: datetime
    closes_at: datetime


class PbProjectResult(EventData):
    """One project's votes, and whether it was funded."""

    proposal_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=160)
    cost: int = Field(ge=1, description="in pence")
    votes: int = Field(ge=0)
    funded: bool


@event_contract("hub.participation.pb_round.results_published.v1")
class PbResultsPublished(PbRoundEvent):
    """Voting closed and the results are counted: anonymous counts only, projects in the order the
    winners were chosen (votes, then the cheaper, then the earlier submitted)."""

    title: str = Field(min_length=1, max_length=160)
    method: Literal["allocation", "approval"]
    budget: int = Field(ge=1, description="in pence")
    ballots: int = Field(ge=0)
    funded_total: int = Field(ge=0, description="in pence")
    projects: list[PbProjectResult]
    closed_at: datetime


@event_contract("hub.participation.pb_project.progress_published.v1")
class PbProjectProgressPublished(PbRoundEvent):
    """Hub staff published progress on a funded project."""

    proposal_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=160)
    note: str = Field(min_length=1, max_length=4000)
    done: bool = Field(description="the project is delivered")
    published_by: str | None = Field(default=None, max_length=128, description="opaque staff account id")
    published_at: datetime


@event_contract("hub.participation.pb_project.delivered.v1")
class PbProjectDelivered(PbRoundEvent):
    """A project residents voted for is delivered ("You Said, We Did")."""

    proposal_id: str = Field(min_length=1, max_length=64)
    round_title: str = Field(min_length=1, max_length=160)
    title: str = Field(min_length=1, max_length=160)
    cost: int = Field(ge=1, description="in pence")
    votes: int = Field(ge=0)
    note: str = Field(min_length=1, max_length=4000, description="what was done")
    delivered_at: datetime


# --- what partners publish to hub.participation.inbound ------------------------------------------
# Partners that meet residents in person or by phone (a library running a voting station with paper
# ballots, a phone line signing people up for a forum) pass on what those residents asked for. The
# person is the partner's own opaque reference (``person_ref``): the service knows them as
# ``partner:<partner>:<person_ref>``, so the same person's second ballot replaces their first, and
# a second registration holds the same place, exactly as for a signed-in resident. The same rules
# apply as through the API (the voting window, the budget, the capacity and waitlist); a message
# that can never be valid goes to ``hub.participation.dlt`` with the reason. Each is taken once per
# ``ce_source`` + ``partner_ref`` (a message sent again, even with a new event id, changes nothing).
# Like every topic but ``hub.contacts``, they carry no names, emails or phone numbers: the partner
# keeps its residents' contact details and tells them itself.

PersonRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=48,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="the partner's opaque reference of the person (never a name, email or phone number)",
    ),
]


@event_contract("hub.participation.pb_ballot.submitted.v1", topic=inbound_topic("participation"))
class PartnerBallotSubmitted(EventData):
    """A ballot a partner took for one of its people (a paper ballot at a library's voting station).

    It counts as that person's ballot in the round, replacing their earlier one while voting is open;
    outside the voting window, over the budget (allocation), over ``max_approvals`` (approval) or
    naming a project not on the ballot, it is dead-lettered with the reason and nothing changes.
    """

    partner_ref: str = Field(min_length=1, max_length=128, description="the partner's own id of this ballot")
    hub_id: str = Field(min_length=1, max_length=64, description="the round's hub (the partner must be granted it)")
    round_id: str = Field(min_length=1, max_length=64)
    person_ref: PersonRef
    choices: list[str] = Field(
        min_length=1, max_length=100, description="the proposal ids chosen (allocation) or approved (approval)"
    )


@event_contract("hub.participation.registration.submitted.v1", topic=inbound_topic("participation"))
class PartnerRegistrationSubmitted(EventData):
    """A partner registers one of its people for a forum meeting (a place, or on the waitlist when
    full); full without a waitlist, started, held or called off, it is dead-lettered with the reason."""

    partner_ref: str = Field(min_length=1, max_length=128, description="the partner's own id of this registration")
    hub_id: str = Field(min_length=1, max_length=64, description="the meeting's hub (the partner must be granted it)")
    meeting_id: str = Field(min_length=1, max_length=64)
    person_ref: PersonRef
    access_needs: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="what the hub should arrange for them (seen by its staff only, never published)",
    )
