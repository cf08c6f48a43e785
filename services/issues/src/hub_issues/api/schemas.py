"""Request and response schemas of the ``/v1`` API (``api/views.py`` builds the responses from the domain)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from hub_common.insight import InsightOut

HUB_ID = r"^[a-z0-9][a-z0-9-]{1,63}$"
CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
PHONE = r"^\+?[0-9 ]{7,20}$"
Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
PHOTO_ID = r"^pho-[0-9a-f]{32}$"
PhotoIds = list[Annotated[str, StringConstraints(pattern=PHOTO_ID)]]
Action = Literal["acknowledge", "start", "refer", "fix", "close", "close_not_fixed", "reopen"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Boundary(Strict):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class HubIn(Strict):
    id: str = Field(pattern=HUB_ID, description="stable id, e.g. hub-northfield")
    name: str = Field(min_length=1, max_length=200)
    boundary: Boundary = Field(description="GeoJSON Polygon or MultiPolygon (longitude, latitude)")
    is_default: bool = Field(default=False, description="reports outside every boundary go to the default hub")


class HubPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    boundary: Boundary | None = None
    is_default: bool | None = None
    version: int | None = Field(default=None, ge=1, description="the version you read (or send If-Match)")


class HubOut(BaseModel):
    id: str
    name: str
    boundary: dict[str, Any]
    centre: dict[str, float]
    is_default: bool
    version: int
    created_at: datetime
    updated_at: datetime


class HubLocation(BaseModel):
    hub_id: str | None
    lat: float
    lon: float


class ValueIn(Strict):
    key: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)


class AttributeIn(Strict):
    code: str = Field(pattern=CODE)
    datatype: Datatype
    description: str = Field(min_length=1, max_length=500, description="the question asked")
    required: bool = False
    order: int = Field(default=0, ge=0)
    variable: bool = Field(default=True, description="false: information only, no answer expected")
    datatype_description: str = Field(default="", max_length=500)
    values: list[ValueIn] = Field(default_factory=list, max_length=200)


class CategoryWordingIn(Strict):
    """The category's words in one other language; what is left out shows in the catalogue's own."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    group: str = Field(default="", max_length=100)
    questions: dict[str, Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=dict, max_length=50, description="attribute code -> its question in this language"
    )
    choices: dict[str, dict[str, Annotated[str, Field(min_length=1, max_length=200)]]] = Field(
        default_factory=dict, max_length=50, description="attribute code -> value key -> its name in this language"
    )


# Language codes as the web app's (ISO 639-1 or -3, lower case: "cy", "gd", "pl").
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
Translations = dict[LanguageCode, CategoryWordingIn]


class CategoryIn(Strict):
    code: str = Field(pattern=CODE, description="Open311 service_code")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    group: str = Field(default="", max_length=100)
    keywords: list[str] = Field(default_factory=list, max_length=50)
    target_response_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    attributes: list[AttributeIn] = Field(default_factory=list, max_length=50)
    active: bool = True
    translations: Translations = Field(
        default_factory=dict, max_length=20, description="the category's words in other languages, by language code"
    )


class CategoryPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    group: str | None = Field(default=None, max_length=100)
    keywords: list[str] | None = Field(default=None, max_length=50)
    target_response_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    attributes: list[AttributeIn] | None = Field(default=None, max_length=50)
    active: bool | None = None
    translations: Translations | None = Field(default=None, max_length=20, description="replaces them all")
    version: int | None = Field(default=None, ge=1)


class CategoryOut(BaseModel):
    hub_id: str
    code: str
    name: str
    description: str
    group: str
    keywords: list[str]
    target_response_hours: int | None
    active: bool
    attributes: list[dict[str, Any]]
    translations: dict[str, dict[str, Any]] = Field(description="its words in other languages, by language code")
    version: int


class ContactIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=PHONE)
    language: str = Field(
        default="en",
        pattern=r"^[a-z]{2}(-[A-Z]{2})?$",
        description="The language to write to them in (e.g. cy for Welsh); English where a message has no such text",
    )


class ReportIn(Strict):
    service_code: str = Field(pattern=CODE)
    description: str = Field(min_length=1, max_length=4000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, min_length=1, max_length=500)
    address_id: str | None = Field(default=None, max_length=100)
    zipcode: str | None = Field(default=None, max_length=20)
    media_url: AnyHttpUrl | None = None
    photo_ids: PhotoIds = Field(
        default_factory=list, max_length=3, description="photos you uploaded with POST /v1/photos (signed in)"
    )
    attributes: dict[str, str | float | list[str]] = Field(default_factory=dict)
    asset_id: str | None = Field(default=None, min_length=1, max_length=64)
    jurisdiction_id: str | None = Field(default=None, max_length=64)
    contact: ContactIn | None = Field(default=None, description="required when not signed in; never published")


class TransitionIn(Strict):
    action: Action
    public_note: str = Field(min_length=1, max_length=4000)
    private_note: str | None = Field(default=None, max_length=4000)
    agency_responsible: str | None = Field(default=None, max_length=200, description="for refer")
    reason: str | None = Field(default=None, max_length=500, description="for close_not_fixed")
    version: int | None = Field(default=None, ge=1)
    photo_ids: PhotoIds = Field(default_factory=list, max_length=3, description="staff: photos the note goes with")


class MergeIn(Strict):
    into: str = Field(min_length=1, max_length=64, description="the original issue")
    public_note: str = Field(min_length=1, max_length=4000)
    private_note: str | None = Field(default=None, max_length=4000)
    version: int | None = Field(default=None, ge=1)


class HistoryOut(BaseModel):
    action: str
    from_status: str
    to_status: str
    at: datetime
    by_role: str
    public_note: str
    agency_responsible: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    photo_ids: list[str] | None = None
    by: str | None = None  # staff view only
    private_note: str | None = None  # staff view only


class IssueOut(BaseModel):
    id: str
    hub_id: str
    service_code: str
    service_name: str
    group: str
    description: str
    status: str
    open311_status: str
    lat: float
    lon: float
    location_precision: str
    address: str | None
    address_id: str | None
    zipcode: str | None
    media_url: str | None
    photos: list[PhotoOut] = []
    asset_id: str | None
    attributes: dict[str, Any]
    agency_responsible: str | None
    status_notes: str | None
    reason: str | None = None
    duplicate_of: str | None = None
    support_count: int
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    fixed_at: datetime | None = None
    version: int
    history: list[HistoryOut]
    # staff view only
    assignee: str | None = None
    reporter_id: str | None = None
    submitted_by: str | None = None
    channel: str | None = None
    followers: int | None = None


class LikelyDuplicateOut(BaseModel):
    issue_id: str
    distance_m: float


class ReportOut(BaseModel):
    issue: IssueOut
    likely_duplicates: list[LikelyDuplicateOut]


class PriorityOut(BaseModel):
    id: str
    service_code: str
    service_name: str
    description: str
    status: str
    support_count: int
    requested_at: datetime
    lat: float
    lon: float


class YouSaidWeDidOut(BaseModel):
    id: str
    service_name: str
    you_said: str
    we_did: str
    requested_at: datetime
    fixed_at: datetime
    lat: float
    lon: float


class ForumActionOut(BaseModel):
    """An action agreed at a resident forum and done: what was raised, who took it on, what was done."""

    id: str
    meeting_id: str
    you_said: str = Field(description="the forum meeting it was agreed at")
    action: str
    owner: str
    due_on: date
    we_did: str
    done_at: datetime


class FundedProjectOut(BaseModel):
    """A project residents chose in a participatory budgeting round and that was delivered."""

    id: str
    round_id: str
    you_said: str = Field(description="the budgeting round residents voted in")
    project: str
    cost: int = Field(description="in pence")
    votes: int
    we_did: str
    done_at: datetime


class IdeaDoneOut(BaseModel):
    """An idea residents proposed and supported that the hub took forward, and what it did."""

    id: str = Field(description="the idea's id in the participation service")
    you_said: str = Field(description="the idea")
    support_count: int | None = Field(description="residents who supported it (unknown for older ideas)")
    we_did: str
    done_at: datetime


class AssignIn(Strict):
    assignee: str = Field(min_length=1, max_length=128, description="team name or staff id")
    version: int | None = Field(default=None, ge=1)


class UpdateIn(Strict):
    public_note: str = Field(min_length=1, max_length=4000)
    photo_ids: PhotoIds = Field(default_factory=list, max_length=3, description="photos you uploaded")


class HideIn(Strict):
    reason: str = Field(min_length=1, max_length=500, description="why it is hidden (staff see it)")


class PhotoOut(BaseModel):
    id: str
    url: str = Field(description="the photo, relative to this API's base")
    thumbnail_url: str
    content_type: str
    width: int
    height: int
    added_by_role: str
    added_at: datetime
    # staff view only
    hidden: bool | None = None
    hidden_reason: str | None = None
    hidden_at: datetime | None = None


class UploadedPhotoOut(BaseModel):
    id: str = Field(description="name it in photo_ids of your report or update within the time allowed")
    content_type: str
    width: int
    height: int
    attach_by: datetime


class UploadOut(BaseModel):
    items: list[UploadedPhotoOut]


class FeedbackIn(Strict):
    fixed: bool = Field(description="is the issue fixed? 'false' reopens it")
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000, description="kept by the hub, never published")


class CategoryStats(BaseModel):
    service_code: str
    service_name: str
    reported: int
    open: int
    fixed: int
    median_hours_to_fix: float | None
    share_fixed_within_target: float | None


class StatsOut(BaseModel):
    hub_id: str
    since: datetime
    until: datetime
    reported: int
    open: int
    fixed: int
    median_hours_to_fix: float | None
    share_fixed_within_target: float | None
    categories: list[CategoryStats]


class InsightWeek(BaseModel):
    week: date = Field(description="the Monday (UTC) the week starts")
    opened: int
    fixed: int


class InsightTimeToFix(BaseModel):
    service_code: str
    service_name: str
    fixed: int = Field(description="issues of the category fixed in the period")
    median_hours: float | None


class SatisfactionWeek(BaseModel):
    week: date
    answers: int = Field(description="questionnaire answers that rated the fix (1-5)")
    average: float | None


class SatisfactionMonth(BaseModel):
    month: str = Field(description="YYYY-MM")
    answers: int
    average: float | None


class SatisfactionTrend(BaseModel):
    weekly: list[SatisfactionWeek]
    monthly: list[SatisfactionMonth]


class IssuesInsightOut(InsightOut):
    weekly: list[InsightWeek]
    time_to_fix: list[InsightTimeToFix]
    overdue: int = Field(description="open issues of the hubs past their expected time now")
    satisfaction: SatisfactionTrend


class SweepOut(BaseModel):
    flagged_overdue: int
    feedback_requested: int
