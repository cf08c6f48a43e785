"""Matching volunteers and shifts, with a score anyone can read the reasons for.

Only eligible pairs are ranked (requirements are a gate, not a weight). The 100 points are:
- availability (40): how much of the shift falls inside the volunteer's weekly availability;
- skills (20): skill levels above what the role needs (full points when the role needs none
  and the volunteer has a skill or interest that names the role's subject);
- same hub (20): the shift is at the volunteer's home hub;
- fair share (20): fewer shifts in the last 30 days scores higher, so work is spread out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.shifts import Shift, unmet_requirements
from hub_volunteers.domain.volunteers import DAYS, Volunteer

WEIGHTS = {"availability": 40, "skills": 20, "same_hub": 20, "fair_share": 20}
BUSY_SHIFTS_30_DAYS = 4  # at or above this many recent shifts, no fair-share points


@dataclass(frozen=True)
class Factor:
    name: str
    points: float
    max_points: int
    detail: str


@dataclass(frozen=True)
class Match:
    score: float
    factors: list[Factor] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "; ".join(f"{f.name} {f.points:g}/{f.max_points}: {f.detail}" for f in self.factors)


def availability_overlap(volunteer: Volunteer, starts_at: datetime, ends_at: datetime, tz: tzinfo = UTC) -> float:
    """Share (0-1) of the shift inside the volunteer's weekly availability, read in the hub's time zone."""
    start, end = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    total = (end - start).total_seconds()
    if total <= 0 or not volunteer.availability:
        return 0.0
    covered = 0.0
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last:  # a shift may cross midnight
        for slot in volunteer.availability:
            if slot.day != DAYS[day.weekday()]:
                continue
            # Compare in UTC: wall-clock arithmetic within one zone would ignore a clock change.
            slot_start = datetime.combine(day, slot.start, tzinfo=tz).astimezone(UTC)
            slot_end = datetime.combine(day, slot.end, tzinfo=tz).astimezone(UTC)
            covered += max(0.0, (min(end, slot_end) - max(start, slot_start)).total_seconds())
        day += timedelta(days=1)
    return min(1.0, covered / total)


def score(volunteer: Volunteer, role: Role, shift: Shift, recent_shifts: int, tz: tzinfo = UTC) -> Match | None:
    """The match of a volunteer and a shift, or None if they are not eligible for it."""
    if unmet_requirements(volunteer, role, shift):
        return None
    factors = []

    share = availability_overlap(volunteer, shift.starts_at, shift.ends_at, tz)
    factors.append(
        Factor(
            "availability",
            round(WEIGHTS["availability"] * share, 1),
            WEIGHTS["availability"],
            f"{round(share * 100)}% of the shift is in their weekly availability"
            if volunteer.availability
            else "no weekly availability given",
        )
    )

    day = shift.starts_at.date()
    needs = role.skills_needed or []
    if needs:
        extra = [min(volunteer.skill_level(n.skill_id, day) - n.min_level, 2) / 2 for n in needs]
        skill_share = 0.5 + 0.5 * (sum(extra) / len(extra))
        detail = "meets every skill needed" + (" with levels to spare" if skill_share > 0.5 else "")
    else:
        words = {w for w in role.title.lower().split() if len(w) > 3}
        related = [i for i in volunteer.interests if any(w in i or i in w for w in words)]
        related += [s.skill_id for s in volunteer.skills if any(w in s.skill_id for w in words)]
        skill_share = 1.0 if related else 0.5
        detail = f"interested in {', '.join(related)}" if related else "no particular skills needed"
    factors.append(Factor("skills", round(WEIGHTS["skills"] * skill_share, 1), WEIGHTS["skills"], detail))

    same = volunteer.hub_id == shift.hub_id
    factors.append(
        Factor(
            "same_hub",
            WEIGHTS["same_hub"] if same else 0,
            WEIGHTS["same_hub"],
            "home hub" if same else f"home hub is {volunteer.hub_id}",
        )
    )

    busy = min(recent_shifts, BUSY_SHIFTS_30_DAYS) / BUSY_SHIFTS_30_DAYS
    factors.append(
        Factor(
            "fair_share",
            round(WEIGHTS["fair_share"] * (1 - busy), 1),
            WEIGHTS["fair_share"],
            f"{recent_shifts} shift(s) in the last 30 days",
        )
    )
    return Match(score=round(sum(f.points for f in factors), 1), factors=factors)
