"""A hub's own settings: which message rules it uses, and which of its staff and ward councillors get
its alerts."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.errors import NotFound
from hub_common.uow import Transaction, UnitOfWork
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.hub_staff import HubStaffRepository
from hub_notifications.adapters.rule_settings import RuleSettingRepository
from hub_notifications.domain.contacts import for_staff_alerts
from hub_notifications.domain.hubs import AlertAudience, AlertedStaff, RuleSetting
from hub_notifications.domain.rules import RULES, Rule
from hub_notifications.service.templates import rule_for_message_type


class RuleService:
    def __init__(
        self,
        uow: UnitOfWork,
        rule_settings: RuleSettingRepository,
        hub_staff: HubStaffRepository,
        contacts: ContactRepository,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.rule_settings = rule_settings
        self.hub_staff = hub_staff
        self.contacts = contacts
        self.clock = clock

    async def of_hub(self, hub_id: str) -> list[tuple[Rule, bool]]:
        """Every rule, and whether this hub uses it."""
        off = await self.rule_settings.disabled(hub_id)
        return [(rule, rule.message_type not in off) for rule in RULES]

    async def switch(self, caller: Principal, hub_id: str, message_type: str, enabled: bool) -> Rule:
        """Turn a rule on or off for one hub (the staff of that hub, or an operator)."""
        caller.require_staff_for(hub_id)
        rule = rule_for_message_type(message_type)
        await self.rule_settings.save(RuleSetting.switch(hub_id, message_type, enabled, caller.sub, self.clock()))
        return rule

    async def join_staff_alerts(self, caller: Principal, hub_id: str, display_name: str, email: str) -> None:
        """A staff member asks for their hub's alerts, by email and in the app."""
        caller.require_staff_for(hub_id)
        await self._join(caller, hub_id, display_name, email, "staff")

    async def leave_staff_alerts(self, caller: Principal, hub_id: str) -> None:
        await self._leave(caller, hub_id, "staff")

    async def join_councillor_alerts(self, caller: Principal, hub_id: str, display_name: str, email: str) -> None:
        """A ward councillor asks for the alerts of a hub they represent (new ideas, forum actions), by
        email and in the app; their preferences (category ``councillor_alerts``) say which they get."""
        caller.require_councillor_for(hub_id)
        await self._join(caller, hub_id, display_name, email, "councillor")

    async def leave_councillor_alerts(self, caller: Principal, hub_id: str) -> None:
        caller.require_councillor_for(hub_id)
        await self._leave(caller, hub_id, "councillor")

    async def _join(self, caller: Principal, hub_id: str, display_name: str, email: str, as_: AlertAudience) -> None:
        now = self.clock()
        contact = for_staff_alerts(await self.contacts.find(caller.sub), caller.sub, hub_id, display_name, email, now)

        async def work(tx: Transaction) -> None:
            await self.contacts.save(contact, tx.session)
            await self.hub_staff.join(AlertedStaff.joining(hub_id, caller.sub, now, as_), tx.session)

        await self.uow.run(work)

    async def _leave(self, caller: Principal, hub_id: str, as_: AlertAudience) -> None:
        if not await self.hub_staff.leave(hub_id, caller.sub, as_):
            raise NotFound(f"you do not get alerts for {hub_id}")
