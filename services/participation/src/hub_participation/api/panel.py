"""``/v1/hubs/{hub_id}/panel``: a hub's citizens' panel — residents join or leave it; staff see its
size and invite it when they open a survey (``POST /v1/surveys/{id}/open`` with ``invite_panel``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from hub_participation.api.deps import Editor, Panel, Resident
from hub_participation.api.schemas import HUB_ID, ContactIn, Strict

router = APIRouter(prefix="/v1/hubs/{hub_id}/panel", tags=["panel"])


class JoinIn(Strict):
    contact: ContactIn | None = Field(
        default=None, description="how to ask you (passed to notifications, not kept here)"
    )


class MembershipOut(BaseModel):
    hub_id: str
    member: bool
    changed: bool = Field(description="this request joined or left (false: it already was so)")


HubId = Annotated[str, Path(pattern=HUB_ID)]


class PanelOut(BaseModel):
    hub_id: str
    members: int


@router.put("/me", summary="Join the hub's citizens' panel: be asked to take its surveys")
async def join(hub_id: HubId, body: JoinIn, caller: Resident, panel: Panel) -> MembershipOut:
    joined = await panel.join(caller, hub_id, body.contact.contact() if body.contact else None)
    return MembershipOut(hub_id=hub_id, member=True, changed=joined)


@router.delete("/me", summary="Leave the hub's citizens' panel")
async def leave(hub_id: str, caller: Resident, panel: Panel) -> MembershipOut:
    left = await panel.leave(caller, hub_id)
    return MembershipOut(hub_id=hub_id, member=False, changed=left)


@router.get("/me", summary="Whether you are on the hub's citizens' panel")
async def membership(hub_id: str, caller: Resident, panel: Panel) -> MembershipOut:
    return MembershipOut(hub_id=hub_id, member=await panel.is_member(caller, hub_id), changed=False)


@router.get("", summary="How many residents are on the hub's panel (the hub's staff)")
async def size(hub_id: str, caller: Editor, panel: Panel) -> PanelOut:
    return PanelOut(hub_id=hub_id, members=await panel.size(caller, hub_id))
