"""Staff insight: issues opened and fixed per week, time to fix by category, overdue, satisfaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from issues_testkit import IN_RIVERSIDE, NORTHFIELD, RIVERSIDE

from hub_common.errors import Forbidden, RuleViolation
from hub_common.insight import InsightScope, by_month, by_week, insight_scope, months, weeks
from hub_issues.adapters.issues import ISSUES
from hub_testkit.service_api import assert_problem
from hub_testkit.tokens import decode, issue_token

# 2026-03-02 is a Monday: the period is four whole weeks and touches two months.
PERIOD = {"from": "2026-03-02", "to": "2026-03-30"}


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_the_calendar_rolls_days_into_weeks_and_months() -> None:
    scope = InsightScope(("h",), date(2026, 3, 4), date(2026, 4, 2))
    assert weeks(scope)[0] == date(2026, 3, 2) and weeks(scope)[-1] == date(2026, 3, 30)
    assert months(scope) == ["2026-03", "2026-04"]
    per_day = {"2026-03-04": 2, "2026-03-08": 1, "2026-03-09": 5, "2026-04-01": 1, "2026-05-01": 9}
    assert list(by_week(scope, per_day).values())[:2] == [3, 5]
    assert by_month(scope, per_day) == {"2026-03": 8, "2026-04": 1}  # outside the period: dropped


def test_the_scope_is_bounded_and_checked() -> None:
    staff = decode(issue_token(sub="s", role="staff", hubs=["a"]))
    scope = insight_scope(staff, ["a", "a"], None, None, date(2026, 3, 10))
    assert scope.hub_ids == ("a",) and scope.end == date(2026, 3, 11) and (scope.end - scope.start).days == 182
    for start, end in ((date(2026, 3, 2), date(2026, 3, 2)), (date(2020, 1, 1), date(2026, 1, 1))):
        with pytest.raises(RuleViolation):
            insight_scope(staff, ["a"], start, end, date(2026, 3, 10))
    with pytest.raises(Forbidden):
        insight_scope(staff, ["a", "b"], None, None, date(2026, 3, 10))


async def _seed(api) -> list[str]:
    """Five Northfield litter/graffiti reports and one in Riverside, placed in March 2026."""
    ids = [(await api.report()).json()["issue"]["id"] for _ in range(4)]
    graffiti = (await api.report(service_code="graffiti", attributes={"offensive": "no"})).json()["issue"]["id"]
    riverside = (await api.report(lat=IN_RIVERSIDE[0], lon=IN_RIVERSIDE[1])).json()["issue"]["id"]
    db = api.ctx.db[ISSUES]
    placed = {ids[0]: at(2), ids[1]: at(3), ids[2]: at(10), ids[3]: at(28), graffiti: at(11), riverside: at(4)}
    for issue_id, requested_at in placed.items():
        await db.update_one({"_id": issue_id}, {"$set": {"requested_at": requested_at}})
    fixes = {
        ids[0]: (at(5), 10.0, 4),
        ids[1]: (at(12), 30.0, 2),
        graffiti: (at(12), 7.0, None),
        riverside: (at(6), 1.0, 1),
    }
    for issue_id, (fixed_at, hours, satisfaction) in fixes.items():
        feedback = {"fixed": True, "satisfaction": satisfaction, "comment": None, "received_at": fixed_at}
        update = {"fixed_at": fixed_at, "time_to_fix_h": hours, "open": False, "status": "fixed", "feedback": feedback}
        await db.update_one({"_id": issue_id}, {"$set": update})
    await db.update_one({"_id": ids[2]}, {"$set": {"overdue": True}})
    await db.update_one({"_id": riverside}, {"$set": {"feedback.received_at": at(31)}})  # answered in April
    return ids


async def test_insight_of_one_hub(api) -> None:
    await _seed(api)
    response = await api.client.get("/v1/insight", params={"hub_id": NORTHFIELD, **PERIOD}, headers=api.staff())
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["hub_ids"], body["from"], body["to"]) == ([NORTHFIELD], "2026-03-02", "2026-03-30")
    assert body["weekly"] == [
        {"week": "2026-03-02", "opened": 2, "fixed": 1},
        {"week": "2026-03-09", "opened": 2, "fixed": 2},
        {"week": "2026-03-16", "opened": 0, "fixed": 0},
        {"week": "2026-03-23", "opened": 1, "fixed": 0},
    ]
    by_code = {row["service_code"]: row for row in body["time_to_fix"]}
    assert by_code["litter"]["fixed"] == 2 and by_code["litter"]["median_hours"] == 20.0
    assert by_code["graffiti"] == {
        "service_code": "graffiti",
        "service_name": "Graffiti",
        "fixed": 1,
        "median_hours": 7.0,
    }
    assert body["overdue"] == 1
    weekly = body["satisfaction"]["weekly"]
    assert weekly[0] == {"week": "2026-03-02", "answers": 1, "average": 4.0}
    assert weekly[1] == {"week": "2026-03-09", "answers": 1, "average": 2.0}  # graffiti's answer gave no rating
    assert weekly[2]["answers"] == 0 and weekly[2]["average"] is None
    assert body["satisfaction"]["monthly"] == [{"month": "2026-03", "answers": 2, "average": 3.0}]


async def test_insight_across_hubs_for_staff_of_both(api) -> None:
    await _seed(api)
    both = api.auth("staff", "staff-2", (NORTHFIELD, RIVERSIDE))
    params = [("hub_id", NORTHFIELD), ("hub_id", RIVERSIDE), *PERIOD.items()]
    body = (await api.client.get("/v1/insight", params=params, headers=both)).json()
    assert [w["opened"] for w in body["weekly"]] == [3, 2, 0, 1]
    assert [w["fixed"] for w in body["weekly"]] == [2, 2, 0, 0]
    litter = next(row for row in body["time_to_fix"] if row["service_code"] == "litter")
    assert litter["fixed"] == 3 and litter["median_hours"] == 10.0
    assert body["satisfaction"]["monthly"][0]["answers"] == 2  # Riverside's came on the 31st, after the period
    operator = (await api.client.get("/v1/insight", params=params, headers=api.auth("operator"))).json()
    assert operator["weekly"] == body["weekly"]


async def test_insight_is_for_the_hubs_own_staff(api) -> None:
    params = {"hub_id": NORTHFIELD, **PERIOD}
    assert_problem(await api.client.get("/v1/insight", params=params), 401)
    assert_problem(await api.client.get("/v1/insight", params=params, headers=api.staff(RIVERSIDE)), 403)
    assert_problem(await api.client.get("/v1/insight", params=params, headers=api.auth("resident", "res-1")), 403)
    mixed = [("hub_id", NORTHFIELD), ("hub_id", RIVERSIDE), *PERIOD.items()]
    assert_problem(await api.client.get("/v1/insight", params=mixed, headers=api.staff()), 403)
    too_long = {"hub_id": NORTHFIELD, "from": "2020-01-01", "to": "2026-01-01"}
    assert_problem(await api.client.get("/v1/insight", params=too_long, headers=api.staff()), 422)
    assert_problem(await api.client.get("/v1/insight", params=PERIOD, headers=api.staff()), 422)  # no hub
