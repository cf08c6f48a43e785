"""The locality asset map: what an asset is, per kind, and the rules of creating and changing one.

Pure Python (pydantic models as value objects): no FastAPI, Kafka or Mongo imports.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from hub_common.contracts.assets import AssetKind, AssetSnapshot, Condition
from hub_common.contracts.common import GeoPoint
from hub_common.errors import Conflict, RuleViolation

BookerRole = Literal["resident", "partner", "staff"]
OrganisationType = Literal[
    "charity", "cio", "cic", "community_group", "informal", "faith_group", "social_enterprise", "statutory", "other"
]
Tag = Field(min_length=1, max_length=40)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


WALL_CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
_WALL_CLOCK_IN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?$")


def _wall_clock(value: Any) -> Any:
    """A local time of day to the minute: "HH:MM"; "HH:MM:SS" (what this API answered before, and
    what stored documents hold) is accepted and cut to the minute. No UTC offset: it is UK local time."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError("a time of day here is UK local time, without an offset")
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str) and (match := _WALL_CLOCK_IN.match(value)):
        return time(int(match.group(1)), int(match.group(2)))
    raise ValueError('give a local time of day as "HH:MM" (24-hour), e.g. "09:30"')


WallClock = Annotated[
    time,
    BeforeValidator(_wall_clock),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": WALL_CLOCK_PATTERN, "description": "UK local time, HH:MM", "examples": ["09:30"]}
    ),
]


class OpeningHours(Model):
    """One opening window, in the hub's local time (Europe/London). Monday is 0."""

    weekday: int = Field(ge=0, le=6)
    opens: WallClock
    closes: WallClock

    @model_validator(mode="after")
    def _opens_before_closes(self) -> OpeningHours:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        return self


class Blackout(Model):
    """A period when a room cannot be booked (works, holidays, elections)."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> Blackout:
        if self.starts_at >= self.ends_at:
            raise ValueError("starts_at must be before ends_at")
        return self


class BookingPolicy(Model):
    min_minutes: int = Field(default=30, ge=5, le=24 * 60)
    max_minutes: int = Field(default=240, ge=5, le=14 * 24 * 60)
    lead_time_minutes: int = Field(default=60, ge=0, description="how long before the start a booking must be made")
    horizon_days: int = Field(default=180, ge=1, le=730, description="how far ahead bookings are taken")
    requires_approval: bool = Field(default=False, description="requests wait for staff to confirm or decline")
    bookable_by: list[BookerRole] = Field(default_factory=lambda: ["staff", "partner", "resident"])

    @model_validator(mode="after")
    def _min_le_max(self) -> BookingPolicy:
        if self.min_minutes > self.max_minutes:
            raise ValueError("min_minutes must not exceed max_minutes")
        return self


class RoomDetails(Model):
    capacity: int | None = Field(default=None, ge=0, le=100_000)
    accessibility: list[str] = Field(default_factory=list, max_length=30)
    facilities: list[str] = Field(default_factory=list, max_length=50)
    policy: BookingPolicy = Field(default_factory=BookingPolicy)
    blackouts: list[Blackout] = Field(default_factory=list, max_length=200)


class EquipmentDetails(Model):
    serial_number: str | None = Field(default=None, max_length=100, description="for a single tracked item")
    quantity: int = Field(default=1, ge=1, le=10_000, description="identical items lent from one entry")
    condition: Condition = "good"
    max_loan_days: int = Field(default=28, ge=1, le=365)
    inspection_interval_days: int | None = Field(default=None, ge=1, le=3650, description="e.g. PAT testing")
    last_inspected_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _serial_is_single(self) -> EquipmentDetails:
        if self.serial_number and self.quantity != 1:
            raise ValueError("an item with a serial number has quantity 1")
        return self


class PublicContact(Model):
    """An organisation's public contact details (what a directory shows). Never a private person's."""

    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ]{7,20}$")
    website: HttpUrl | None = None


class OrganisationDetails(Model):
    org_type: OrganisationType = "community_group"
    charity_number: str | None = Field(default=None, pattern=r"^[0-9]{6,8}(-[0-9]{1,2})?$|^SC[0-9]{6}$")
    activities: list[str] = Field(default_factory=list, max_length=50)
    areas_served: list[str] = Field(default_factory=list, max_length=50)
    contact: PublicContact | None = None

    @model_validator(mode="after")
    def _charity_number_for_charities(self) -> OrganisationDetails:
        if self.charity_number and self.org_type in ("informal", "community_group"):
            raise ValueError("an informal or community group has no charity number; set org_type to charity or cio")
        return self


class ServiceDetails(Model):
    organisation_id: str | None = Field(default=None, max_length=64, description="the organisation running it")
    offer: str = Field(min_length=1, max_length=2000, description="what is offered")
    eligibility: str | None = Field(default=None, max_length=1000)
    schedule: str | None = Field(default=None, max_length=500, description="e.g. 'Tuesdays 10:00-12:00'")
    cost: str | None = Field(default=None, max_length=200, description="e.g. '£2 a session'; empty when free")
    free: bool = True
    contact: PublicContact | None = None


class FundingDetails(Model):
    funder: str = Field(min_length=1, max_length=200)
    max_amount_gbp: int | None = Field(default=None, ge=0)
    deadline: date | None = None
    eligibility: str | None = Field(default=None, max_length=1000)
    url: HttpUrl | None = None


class AssetFields(Model):
    """What a caller says about an asset (create and full update)."""

    kind: AssetKind
    hub_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    status: Literal["active", "inactive"] = "active"
    location: GeoPoint | None = None
    address: str | None = Field(default=None, max_length=500)
    parent_id: str | None = Field(default=None, max_length=64, description="e.g. the building a room is in")
    tags: list[str] = Field(default_factory=list, max_length=30)
    opening_hours: list[OpeningHours] = Field(default_factory=list, max_length=50)
    owner_id: str | None = Field(default=None, max_length=128, description="who keeps this entry (staff or partner)")
    room: RoomDetails | None = None
    equipment: EquipmentDetails | None = None
    organisation: OrganisationDetails | None = None
    service: ServiceDetails | None = None
    funding: FundingDetails | None = None

    @model_validator(mode="after")
    def _details_match_kind(self) -> AssetFields:
        defaults = {"room": RoomDetails, "equipment": EquipmentDetails, "organisation": OrganisationDetails}
        for kind in ("room", "equipment", "organisation", "service", "funding"):
            value = getattr(self, kind)
            if kind == self.kind:
                if value is None:
                    if kind not in defaults:
                        raise ValueError(f"a {kind} needs its '{kind}' details")
                    setattr(self, kind, defaults[kind]())
            elif value is not None:
                raise ValueError(f"'{kind}' details belong only to assets of kind {kind}")
        self.tags = normalise_tags(self.tags)
        return self


class Asset(AssetFields):
    id: str
    status: Literal["active", "inactive", "retired"] = "active"  # type: ignore[assignment]
    version: int = 1
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None
    source_updated_at: datetime | None = Field(default=None, description="time of the partner submission applied")

    @property
    def bookable(self) -> bool:
        return self.kind == "room" and self.status == "active"

    @property
    def loanable(self) -> bool:
        return self.kind == "equipment" and self.status == "active"

    def snapshot(self) -> dict:
        """The public fields of the asset events (AssetSnapshot), never private contacts."""
        return AssetSnapshot(
            asset_id=self.id,
            hub_id=self.hub_id,
            kind=self.kind,
            name=self.name,
            status=self.status,
            location=self.location,
            address=self.address,
            parent_id=self.parent_id,
            tags=self.tags,
            bookable=self.kind == "room",
            loanable=self.kind == "equipment",
            capacity=self.room.capacity if self.room else None,
            accessibility=self.room.accessibility if self.room else [],
        ).model_dump()


def new_asset(asset_id: str, fields: AssetFields, now: datetime) -> Asset:
    return Asset(**fields.model_dump(), id=asset_id, version=1, created_at=now, updated_at=now)


def updated_asset(current: Asset, fields: AssetFields, now: datetime) -> Asset:
    if current.status == "retired":
        raise Conflict("this asset is retired; register a new one instead")
    if fields.kind != current.kind:
        raise RuleViolation(f"an asset's kind cannot change (it is a {current.kind})")
    if fields.hub_id != current.hub_id:
        raise RuleViolation("an asset cannot move to another hub; retire it and register it there")
    data = fields.model_dump()
    if data.get("owner_id") is None:
        data["owner_id"] = current.owner_id
    return Asset(**data, id=current.id, version=current.version + 1, created_at=current.created_at, updated_at=now)


def retired_asset(current: Asset, now: datetime) -> Asset:
    if current.status == "retired":
        raise Conflict("this asset is already retired")
    return current.model_copy(
        update={"status": "retired", "retired_at": now, "updated_at": now, "version": current.version + 1}
    )


# --- search terms (no text indexes on our database: a normalised, multikey array instead) ---

_WORD = re.compile(r"[a-z0-9]+")
MIN_PREFIX = 3
MAX_TERMS = 300


def normalise_tags(tags: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        norm = "-".join(words(tag))
        if norm:
            seen[norm] = None
    return list(seen)


def words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _WORD.findall(folded)


def search_terms(asset: AssetFields) -> list[str]:
    """Words of the name, tags and kind-specific lists, with prefixes (3+ letters) of name and tag words."""
    terms: dict[str, None] = {}

    def add(text: str, prefixes: bool) -> None:
        for word in words(text):
            terms[word] = None
            if prefixes:
                for n in range(MIN_PREFIX, len(word)):
                    terms[word[:n]] = None

    add(asset.name, True)
    for tag in asset.tags:
        add(tag, True)
    add(asset.kind, False)
    extra: list[str] = [asset.description, asset.address or ""]
    if asset.room:
        extra += asset.room.facilities + asset.room.accessibility
    if asset.organisation:
        extra += asset.organisation.activities + asset.organisation.areas_served
    if asset.service:
        extra += [asset.service.offer, asset.service.eligibility or ""]
    if asset.funding:
        extra += [asset.funding.funder]
    for text in extra:
        add(text, False)
    return list(terms)[:MAX_TERMS]


def query_terms(text: str) -> list[str]:
    """The words a search must all match (unique, at most 8)."""
    return list(dict.fromkeys(words(text)))[:8]
