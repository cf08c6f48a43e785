"""Request and response schemas of the ``/v1`` API, and the public view of an idea (no personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from hub_common.contact_details import Contact
from hub_common.contracts.common import GeoPoint
from hub_common.contracts.participation import IdeaOutcome
from hub_participation.domain.hub import IdeaSettings
from hub_participation.domain.idea import COUNCILLOR_LABEL, Idea, IdeaStatus, Wording
from hub_participation.domain.similar import SimilarIdea

HUB_ID = r"^[a-z0-9][a-z0-9-]{1,63}$"
PHONE = r"^\+?[0-9 ]{7,20}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactIn(Strict):
    """Where to tell you about the idea (sent to the notifications service only, never shown)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=PHONE)

    def contact(self) -> Contact:
        return Contact(self.name, str(self.email) if self.email else None, self.phone)


class WordingIn(Strict):
    title: str = Field(min_length=5, max_length=120, description="what the idea is, in a line")
    description: str = Field(min_length=10, max_length=4000, description="what you propose, and why")
    category: str | None = Field(default=None, min_length=1, max_length=60, description="e.g. green spaces")
    location: GeoPoint | None = Field(default=None, description="where it would happen, if somewhere")

    def wording(self) -> Wording:
        return Wording(
            title=self.title.strip(),
            description=self.description.strip(),
            category=self.category.strip() if self.category else None,
            location=self.location,
        )


class ProposeIn(WordingIn):
    hub_id: str = Field(pattern=HUB_ID)
    display_name: str | None = Field(
        default=None, min_length=1, max_length=60, description="how to show you (otherwise 'a resident')"
    )
    contact: ContactIn | None = None


class SupportIn(Strict):
    follow: bool = Field(default=False, description="also hear the idea's response and progress")


class FollowIn(Strict):
    contact: ContactIn | None = None


class FlagIn(Strict):
    reason: str = Field(min_length=3, max_length=500, description="what is wrong with it, for the moderators")


class HideIn(Strict):
    reason: str = Field(min_length=3, max_length=500, description="shown in public with the hidden idea")


class RespondIn(Strict):
    outcome: IdeaOutcome
    response: str = Field(min_length=10, max_length=4000, description="the hub's public answer, with its reason")


class ProgressIn(Strict):
    note: str = Field(min_length=3, max_length=4000)
    done: bool = False


class CouncillorCommentIn(Strict):
    comment: str = Field(min_length=3, max_length=4000, description="what you say on the idea, in public")
    display_name: str = Field(
        min_length=2, max_length=80, description="the name you comment as, shown with the Councillor label"
    )


class SettingsIn(Strict):
    support_threshold: int | None = Field(default=None, ge=1, le=100_000, description="null: the platform default")


class SettingsOut(BaseModel):
    hub_id: str
    support_threshold: int
    custom: bool  # the hub's own threshold, not the platform's default
    version: int


class ResponseOut(BaseModel):
    outcome: IdeaOutcome
    text: str
    at: datetime


class ProgressOut(BaseModel):
    note: str
    done: bool
    at: datetime


class HiddenOut(BaseModel):
    reason: str
    at: datetime


class CouncillorCommentOut(BaseModel):
    """A ward councillor's public comment: shown by the name they signed it with, as a councillor's."""

    id: str
    name: str
    label: Literal["Councillor"] = COUNCILLOR_LABEL
    comment: str
    at: datetime


class EditOut(BaseModel):
    at: datetime
    title: str
    description: str


class IdeaOut(BaseModel):
    """An idea as anyone sees it: who proposed it only as the name they chose. A hidden idea shows
    the moderators' reason instead of its wording."""

    id: str
    hub_id: str
    title: str | None
    description: str | None
    category: str | None
    location: GeoPoint | None
    proposed_by: str
    status: IdeaStatus
    support_count: int
    support_threshold: int
    flag_count: int
    proposed_at: datetime
    updated_at: datetime
    threshold_reached_at: datetime | None
    response: ResponseOut | None
    progress: list[ProgressOut]
    councillor_comments: list[CouncillorCommentOut]
    hidden: HiddenOut | None
    edits: list[EditOut]
    version: int


class SimilarOut(BaseModel):
    id: str
    title: str
    support_count: int
    overlap: float = Field(description="share of words in common, 0-1")


class ProposalOut(BaseModel):
    idea: IdeaOut
    similar: list[SimilarOut] = Field(description="open ideas of the hub like this one: support them instead?")


class SupportOut(BaseModel):
    idea_id: str
    counted: bool = Field(description="false: your support was counted before")
    support_count: int
    support_threshold: int
    status: IdeaStatus
    following: bool


class FlagOut(BaseModel):
    idea_id: str
    flag_count: int


class FollowOut(BaseModel):
    idea_id: str
    following: Literal[True] = True


def idea_view(idea: Idea) -> IdeaOut:
    shown = idea.hidden is None
    wording = idea.wording
    return IdeaOut(
        id=idea.id,
        hub_id=idea.hub_id,
        title=wording.title if shown else None,
        description=wording.description if shown else None,
        category=wording.category,
        location=wording.location if shown else None,
        proposed_by=idea.proposed_by,
        status=idea.status,
        support_count=idea.support_count,
        support_threshold=idea.support_threshold,
        flag_count=len(idea.flags),
        proposed_at=idea.proposed_at,
        updated_at=idea.updated_at,
        threshold_reached_at=idea.threshold_reached_at,
        response=ResponseOut(outcome=idea.response.outcome, text=idea.response.text, at=idea.response.at)
        if idea.response
        else None,
        progress=[ProgressOut(note=p.note, done=p.done, at=p.at) for p in idea.progress],
        councillor_comments=[
            CouncillorCommentOut(id=c.id, name=c.shown_as, comment=c.text, at=c.at) for c in idea.councillor_comments
        ]
        if shown
        else [],
        hidden=HiddenOut(reason=idea.hidden.reason, at=idea.hidden.at) if idea.hidden else None,
        edits=[EditOut(at=e.at, title=e.before.title, description=e.before.description) for e in idea.edits]
        if shown
        else [],
        version=idea.version,
    )


def similar_view(similar: list[SimilarIdea]) -> list[SimilarOut]:
    return [SimilarOut(id=s.idea_id, title=s.title, support_count=s.support_count, overlap=s.overlap) for s in similar]


def settings_view(settings: IdeaSettings, default_threshold: int) -> SettingsOut:
    return SettingsOut(
        hub_id=settings.id,
        support_threshold=settings.threshold(default_threshold),
        custom=settings.support_threshold is not None,
        version=settings.version,
    )
