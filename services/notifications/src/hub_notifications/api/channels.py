"""Delivery channels' health, for operators and staff: is the mail server answering, and how many
messages wait for it."""

from __future__ import annotations

from fastapi import APIRouter

from hub_notifications.api.deps import Channels, Staff
from hub_notifications.api.schemas import ChannelOut

router = APIRouter(prefix="/v1", tags=["channels"])


@router.get("/channels", summary="Each delivery channel's server: up, or down with the messages waiting for it")
async def channels(principal: Staff, channels: Channels) -> list[ChannelOut]:
    return [ChannelOut.of(health, held) for health, held in await channels.states()]
