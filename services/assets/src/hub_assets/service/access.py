"""Who may act, where several sub-domains ask the same question."""

from __future__ import annotations

from hub_assets.domain.assets import Asset
from hub_common.auth import STAFF_ROLES, Principal
from hub_common.errors import Forbidden


def require_staff_or_partner_for(caller: Principal, hub_id: str) -> None:
    """Staff of the hub, an operator, or a partner working with the hub (loans, directory entries)."""
    caller.require_role(*STAFF_ROLES, "partner")
    caller.require_hub(hub_id)


def require_entry_keeper(caller: Principal, asset: Asset) -> None:
    """The hub's staff, or the partner who keeps this directory entry."""
    if caller.is_staff_for(asset.hub_id):
        return
    if caller.role == "partner" and asset.owner_id == caller.sub and caller.can_act_for_hub(asset.hub_id):
        return
    raise Forbidden("only the hub's staff, or the partner who keeps this entry, can change it")
