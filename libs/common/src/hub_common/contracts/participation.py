"""Events published by the participation service (``hub.participation.events``).

Ideas residents propose for their hub, the support they gather, staff's public response and the
progress of an accepted idea (its action). People appear only as opaque ids: the proposer (whom
notifications tells when the idea reaches its threshold or gets a response) and a follower (who
hears its updates). A support is a count, never whose it is: backing a local proposal can say
something about a person's opinions, and no consumer needs to know who gave it. The display name a
proposer chooses stays in the service's own pages; contact details travel on ``hub.contacts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from hub_common.contracts.common import GeoPoint
from hub_common.contracts.registry import EventData, event_contract

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
    published_by: str | None = Field(default=None, max_length=128, description="opaque staff account id")
    published_at: datetime


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
