"""Who a person signed in by the council's identity provider is here: their groups, mapped to the
services' role and hubs by configuration (``HUB_WEB_OIDC_GROUP_MAP``).

The map is JSON, from group (as the provider names it in the ID token) to what membership grants::

    {"/hubs/{hub}/staff": {"role": "staff"},
     "/operators": {"role": "operator"},
     "/privacy": {"role": "privacy"},
     "/hubs/{hub}/councillors": {"role": "councillor"}}

A ``{hub}`` in a group is a pattern: ``/hubs/hub-northfield/staff`` makes the person staff of
``hub-northfield``, so one line serves every hub a council adds. A staff entry may name its hubs
instead (``{"role": "staff", "hubs": ["hub-northfield"]}``) when the provider's groups are not
named after hub ids. Someone in several groups gets the strongest role they hold (operator,
then staff, then privacy, then councillor) and, as staff or a councillor, every hub of those groups
(a councillor's hubs are the wards they represent; a councillor is not hub staff). Groups the map does not
name grant nothing; someone none of whose groups is mapped gets no staff session at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

Role = Literal["staff", "operator", "privacy", "councillor"]
ROLES: tuple[Role, ...] = ("operator", "staff", "privacy", "councillor")  # strongest first
HUB_ROLES: frozenset[Role] = frozenset({"staff", "councillor"})  # the roles held for some hubs
HUB_PLACEHOLDER = "{hub}"
HUB_ID = "[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"  # one path segment of a group: never a slash, so never two hubs


@dataclass(frozen=True)
class StaffAccess:
    """What the person may do: the services' role and, for hub staff and councillors, their hubs."""

    role: Role
    hubs: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupRule:
    group: str
    role: Role
    hubs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        pattern = re.escape(self.group).replace(re.escape(HUB_PLACEHOLDER), f"(?P<hub>{HUB_ID})")
        object.__setattr__(self, "_pattern", re.compile(pattern))

    def hubs_for(self, group: str) -> tuple[str, ...] | None:
        """The hubs membership of ``group`` gives under this rule; None when the rule is not about it."""
        match = self._pattern.fullmatch(group)  # type: ignore[attr-defined]
        if match is None:
            return None
        return (match["hub"],) if HUB_PLACEHOLDER in self.group else self.hubs


class GroupMap:
    def __init__(self, rules: list[GroupRule]) -> None:
        self.rules = rules

    def __bool__(self) -> bool:
        return bool(self.rules)

    def access_for(self, groups: list[str] | tuple[str, ...]) -> StaffAccess | None:
        """The strongest access the person's groups grant, or None (no staff session)."""
        granted: dict[Role, set[str]] = {}
        for group in groups:
            for rule in self.rules:
                hubs = rule.hubs_for(group)
                if hubs is not None:
                    granted.setdefault(rule.role, set()).update(hubs)
        for role in ROLES:
            if role in granted:
                # Operators act everywhere and the privacy team is not hub staff: no hubs for them.
                return StaffAccess(role, tuple(sorted(granted[role])) if role in HUB_ROLES else ())
        return None


def parse_group_map(raw: str) -> GroupMap:
    """``HUB_WEB_OIDC_GROUP_MAP``; a clear error for anything malformed (the app refuses to start)."""
    try:
        items = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"HUB_WEB_OIDC_GROUP_MAP is not JSON: {exc}") from None
    if not isinstance(items, dict):
        raise ValueError('HUB_WEB_OIDC_GROUP_MAP must be a JSON object: {"<group>": {"role": ...}, ...}')
    rules = []
    for group, grant in items.items():
        where = f"HUB_WEB_OIDC_GROUP_MAP[{group!r}]"
        if not isinstance(grant, dict):
            raise ValueError(f'{where} must be an object like {{"role": "staff"}}')
        role, hubs = grant.get("role"), grant.get("hubs", [])
        if role not in ROLES:
            raise ValueError(f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
        if not isinstance(hubs, list) or not all(isinstance(h, str) and re.fullmatch(HUB_ID, h) for h in hubs):
            raise ValueError(f"{where}: hubs must be a list of hub ids")
        if group.count(HUB_PLACEHOLDER) > 1:
            raise ValueError(f"{where}: at most one {HUB_PLACEHOLDER} in a group")
        if role in HUB_ROLES and not hubs and HUB_PLACEHOLDER not in group:
            raise ValueError(f"{where}: {role} of which hubs? Name them in hubs, or put {HUB_PLACEHOLDER} in the group")
        if role not in HUB_ROLES and (hubs or HUB_PLACEHOLDER in group):
            raise ValueError(f"{where}: only staff and councillors are given hubs ({role} is not hub staff)")
        rules.append(GroupRule(group, role, tuple(hubs)))
    return GroupMap(rules)
