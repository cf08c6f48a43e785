"""A hub's message rules (on or off), and its staff's and ward councillors' alerts."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import StaffForHub
from hub_notifications.api.deps import Councillor, Rules
from hub_notifications.api.schemas import RuleOut, RuleSwitch, StaffAlertsIn

router = APIRouter(prefix="/v1/hubs/{hub_id}", tags=["rules"])


@router.get("/rules", summary="The message rules and whether this hub uses them")
async def hub_rules(hub_id: str, principal: StaffForHub, rules: Rules) -> list[RuleOut]:
    return [RuleOut.of(rule, enabled=enabled) for rule, enabled in await rules.of_hub(hub_id)]


@router.put("/rules/{message_type}", summary="Turn a rule on or off for a hub")
async def switch_rule(
    hub_id: str, message_type: str, body: RuleSwitch, principal: StaffForHub, rules: Rules
) -> RuleOut:
    rule = await rules.switch(principal, hub_id, message_type, body.enabled)
    return RuleOut.of(rule, enabled=body.enabled)


@router.put("/staff-alerts/me", status_code=204, summary="Get this hub's staff alerts")
async def join_staff_alerts(hub_id: str, body: StaffAlertsIn, principal: StaffForHub, rules: Rules) -> Response:
    await rules.join_staff_alerts(principal, hub_id, body.display_name, str(body.email))
    return Response(status_code=204)


@router.delete("/staff-alerts/me", status_code=204, summary="Stop this hub's staff alerts")
async def leave_staff_alerts(hub_id: str, principal: StaffForHub, rules: Rules) -> Response:
    await rules.leave_staff_alerts(principal, hub_id)
    return Response(status_code=204)


@router.put(
    "/councillor-alerts/me",
    status_code=204,
    summary="Get this hub's councillor alerts (a councillor of the hub): new ideas, forum actions agreed",
)
async def join_councillor_alerts(hub_id: str, body: StaffAlertsIn, principal: Councillor, rules: Rules) -> Response:
    await rules.join_councillor_alerts(principal, hub_id, body.display_name, str(body.email))
    return Response(status_code=204)


@router.delete("/councillor-alerts/me", status_code=204, summary="Stop this hub's councillor alerts")
async def leave_councillor_alerts(hub_id: str, principal: Councillor, rules: Rules) -> Response:
    await rules.leave_councillor_alerts(principal, hub_id)
    return Response(status_code=204)
