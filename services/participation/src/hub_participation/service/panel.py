"""A hub's citizens' panel: residents who agree to be asked to take its surveys. Joining publishes
``panel.joined`` (notifications keeps who to invite) and hands the contact details to notifications
on ``hub.contacts``; staff open a survey with ``invite_panel`` and notifications asks the panel."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contact_details import Contact
from hub_common.contracts.participation import PanelJoined, PanelLeft
from hub_common.errors import Forbidden
from hub_common.uow import Transaction, UnitOfWork
from hub_participation.adapters.panel import PanelRepository
from hub_participation.domain.panel import PanelMember, member_id
from hub_participation.service.contacts import publish_contact


class PanelService:
    def __init__(self, uow: UnitOfWork, panel: PanelRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.panel = panel
        self.clock = clock

    async def join(self, caller: Principal, hub_id: str, contact: Contact | None) -> bool:
        """On the panel (True when they were not before); new contact details are passed on either way."""
        _resident(caller)
        now = self.clock()

        async def work(tx: Transaction) -> bool:
            member = PanelMember(id=member_id(hub_id, caller.sub), hub_id=hub_id, person_id=caller.sub, joined_at=now)
            joined = await self.panel.add_if_missing(member, tx.session)
            if joined:
                tx.publish(PanelJoined(hub_id=hub_id, person_id=caller.sub, joined_at=now), subject=caller.sub,
                           hub_id=hub_id)  # fmt: skip
            publish_contact(tx, caller.sub, contact, hub_id, None)
            return joined

        return await self.uow.run(work)

    async def leave(self, caller: Principal, hub_id: str) -> bool:
        _resident(caller)
        now = self.clock()

        async def work(tx: Transaction) -> bool:
            left = await self.panel.leave(hub_id, caller.sub, tx.session)
            if left:
                tx.publish(PanelLeft(hub_id=hub_id, person_id=caller.sub, left_at=now), subject=caller.sub,
                           hub_id=hub_id)  # fmt: skip
            return left

        return await self.uow.run(work)

    async def is_member(self, caller: Principal, hub_id: str) -> bool:
        return await self.panel.find(member_id(hub_id, caller.sub)) is not None

    async def size(self, caller: Principal, hub_id: str) -> int:
        caller.require_staff_for(hub_id)
        return await self.panel.size(hub_id)


def _resident(caller: Principal) -> None:
    if caller.role != "resident":
        raise Forbidden("only residents join a hub's citizens' panel")
