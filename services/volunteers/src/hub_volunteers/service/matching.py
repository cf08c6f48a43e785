"""Matching volunteers and shifts: only eligible pairs are ranked, each score explained
(the rules are in ``domain/matching.py``)."""

from __future__ import annotations

from datetime import timedelta, tzinfo
from typing import Any

from hub_common.audit import AccessAudit
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.matching import Match, score
from hub_volunteers.service.common import require_self_or_staff

MATCH_CANDIDATES = 500  # how many volunteers or shifts one matching request considers
FAIR_SHARE_WINDOW = timedelta(days=30)  # recent shifts count against a volunteer's fair share
LOOKAHEAD = timedelta(days=60)  # how far ahead recommended shifts start


class MatchingService:
    def __init__(
        self,
        volunteers: VolunteerRepository,
        shifts: ShiftRepository,
        roles: RoleRepository,
        signups: SignupRepository,
        *,
        clock: Clock,
        tz: tzinfo,
        audit: AccessAudit,
    ) -> None:
        self.audit = audit  # staff are shown the suggested volunteers' names
        self.volunteers = volunteers
        self.shifts = shifts
        self.roles = roles
        self.signups = signups
        self.clock = clock
        self.tz = tz  # weekly availability is read in the hubs' time zone

    async def _recent_shift_counts(self, volunteer_ids: list[str]) -> dict[str, int]:
        at = self.clock()
        return await self.signups.confirmed_counts(volunteer_ids, at - FAIR_SHARE_WINDOW, at)

    async def match_volunteers(self, caller: Principal, shift_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """Eligible volunteers of the shift's hub not yet signed up, best match first, with reasons."""
        shift = await self.shifts.get(shift_id)
        caller.require_staff_for(shift.hub_id)
        role = await self.roles.get(shift.role_id)
        taken = set(await self.signups.active_volunteer_ids(shift.id))
        candidates = [
            v for v in await self.volunteers.match_candidates(shift.hub_id, MATCH_CANDIDATES) if v.id not in taken
        ]
        recent = await self._recent_shift_counts([v.id for v in candidates])
        ranked = []
        for v in candidates:
            match = score(v, role, shift, recent.get(v.id, 0), self.tz)
            if match is not None:
                ranked.append({"volunteer_id": v.id, "name": v.name, **_match_view(match)})
        ranked.sort(key=lambda m: (-m["score"], m["volunteer_id"]))
        shown = [m["volunteer_id"] for m in ranked[:limit]]
        await self.audit.read(caller, kind="volunteer matches", record_ids=[shift.id], person_ids=shown, why="suggest")
        return ranked[:limit]

    async def recommend_shifts(self, caller: Principal, volunteer_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """Open shifts in the coming 60 days this volunteer is eligible for, best match first, with reasons."""
        v = await self.volunteers.get(volunteer_id)
        require_self_or_staff(caller, v)
        at = self.clock()
        shifts = await self.shifts.published_between(at, at + LOOKAHEAD, MATCH_CANDIDATES)
        mine = {s.shift_id for s in await self.signups.active_after(v.id, at)}
        roles = await self.roles.many(list({s.role_id for s in shifts}))
        recent = (await self._recent_shift_counts([v.id])).get(v.id, 0)
        ranked = []
        for shift in shifts:
            role = roles.get(shift.role_id)
            if role is None or shift.id in mine:
                continue
            match = score(v, role, shift, recent, self.tz)
            if match is not None:
                ranked.append(
                    {
                        "shift_id": shift.id,
                        "role_id": role.id,
                        "role_title": role.title,
                        "hub_id": shift.hub_id,
                        "starts_at": shift.starts_at,
                        "ends_at": shift.ends_at,
                        "open_places": shift.open_places,
                        **_match_view(match),
                    }
                )
        ranked.sort(key=lambda m: (-m["score"], m["starts_at"]))
        return ranked[:limit]


def _match_view(match: Match) -> dict[str, Any]:
    return {
        "score": match.score,
        "explanation": match.explanation,
        "factors": [
            {"name": f.name, "points": f.points, "max_points": f.max_points, "detail": f.detail} for f in match.factors
        ],
    }
