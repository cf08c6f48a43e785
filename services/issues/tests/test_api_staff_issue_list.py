"""API: the staff console's list of a hub's issues: filters, word search, cursor pages, who may read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from issues_testkit import IN_RIVERSIDE, NORTHFIELD, RIVERSIDE

from hub_issues.adapters.issues import ISSUES, IssueQuery, search_index
from hub_testkit.service_api import assert_problem, fields_of

LIST = f"/v1/hubs/{NORTHFIELD}/issues"


async def transition(api, issue_id: str, action: str, **body) -> None:
    body = {"action": action, "public_note": f"{action} note", **body}
    response = await api.client.post(f"/v1/issues/{issue_id}/transitions", json=body, headers=api.staff())
    assert response.status_code == 200, response.text


async def reported(api, **fields) -> str:
    response = await api.report(**fields)
    assert response.status_code == 201, response.text
    return response.json()["issue"]["id"]


async def ids(api, **params) -> list[str]:
    response = await api.client.get(LIST, params=params, headers=api.staff())
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


async def test_staff_filter_search_and_page_their_hubs_issues(api) -> None:
    glass = await reported(api, description="Broken glass near the school gates")
    crisps = await reported(api, description="Crisp packets on the green")
    tag = await reported(api, service_code="graffiti", attributes={"offensive": "no"}, description="Tag on a wall")
    elsewhere = await reported(api, description="Broken glass", lat=IN_RIVERSIDE[0], lon=IN_RIVERSIDE[1])
    await transition(api, glass, "acknowledge")
    assigned = await api.client.post(f"/v1/issues/{crisps}/assign", json={"assignee": "crew-b"}, headers=api.staff())
    assert assigned.status_code == 200, assigned.text
    past = datetime.now(UTC) - timedelta(hours=1)
    await api.ctx.db[ISSUES].update_one({"_id": crisps}, {"$set": {"expected_at": past}})

    assert await ids(api) == [tag, crisps, glass]  # newest first, this hub only
    riverside = await api.client.get(f"/v1/hubs/{RIVERSIDE}/issues", headers=api.staff(RIVERSIDE))
    assert [i["id"] for i in riverside.json()["items"]] == [elsewhere]
    assert await ids(api, status="acknowledged") == [glass]
    assert await ids(api, status=["reported", "acknowledged"], service_code="litter") == [crisps, glass]
    assert await ids(api, service_code="graffiti") == [tag]
    assert await ids(api, overdue="true") == [crisps]
    assert await ids(api, assignee="crew-b") == [crisps]
    assert await ids(api, q="GLASS") == [glass]  # word search, any case; not the other hub's report
    assert await ids(api, q="graffiti") == [tag]  # the category's name is searched too
    assert await ids(api, q="glass green") == []  # every word must be there
    assert await ids(api, q="broken", status="reported") == []

    first = (await api.client.get(LIST, params={"limit": 2}, headers=api.staff())).json()
    assert [i["id"] for i in first["items"]] == [tag, crisps] and first["next_cursor"]
    assert "reporter_id" in first["items"][0]  # the staff view
    rest = await api.client.get(LIST, params={"limit": 2, "cursor": first["next_cursor"]}, headers=api.staff())
    assert [i["id"] for i in rest.json()["items"]] == [glass] and rest.json()["next_cursor"] is None
    both = (await api.client.get(LIST, params={"limit": 1, "status": "reported"}, headers=api.staff())).json()
    after = await api.client.get(
        LIST, params={"limit": 1, "status": "reported", "cursor": both["next_cursor"]}, headers=api.staff()
    )
    assert [i["id"] for i in both["items"] + after.json()["items"]] == [tag, crisps]


async def test_only_staff_of_the_hub_may_list_and_bad_input_is_4xx(api) -> None:
    await reported(api)
    assert_problem(await api.client.get(LIST), 401)
    assert_problem(await api.client.get(LIST, headers=api.auth("resident", "res-1")), 403)
    assert_problem(await api.client.get(LIST, headers=api.auth("partner", hubs=(NORTHFIELD,))), 403)
    assert_problem(await api.client.get(LIST, headers=api.staff(RIVERSIDE)), 403)
    operator = await api.client.get(LIST, headers=api.auth("operator"))
    assert operator.status_code == 200 and len(operator.json()["items"]) == 1

    assert_problem(await api.client.get(LIST, params={"cursor": "not-a-cursor"}, headers=api.staff()), 400)
    body = assert_problem(await api.client.get(LIST, params={"cursor": "WzFd"}, headers=api.staff()), 400)
    assert body["type"] == "urn:hub:problem:invalid-cursor"
    assert fields_of(assert_problem(await api.client.get(LIST, params={"status": "lost"}, headers=api.staff()), 422))
    assert_problem(await api.client.get(LIST, params={"q": "!!"}, headers=api.staff()), 422)
    assert_problem(await api.client.get(LIST, params={"q": "x" * 201}, headers=api.staff()), 422)
    assert_problem(await api.client.get(LIST, params={"overdue": "maybe"}, headers=api.staff()), 422)
    assert_problem(await api.client.get(LIST, params={"limit": 500}, headers=api.staff()), 422)


async def test_the_console_filters_are_served_by_an_index(api) -> None:
    await reported(api)
    now = datetime.now(UTC)
    queries = [
        IssueQuery(hub_id=NORTHFIELD),
        IssueQuery(hub_id=NORTHFIELD, statuses=["reported"], service_codes=["litter"]),
        IssueQuery(hub_id=NORTHFIELD, service_codes=["litter"]),
        IssueQuery(hub_id=NORTHFIELD, overdue_at=now),
        IssueQuery(hub_id=NORTHFIELD, assignee="crew-b"),
        IssueQuery(hub_id=NORTHFIELD, words=["glass"], statuses=["reported"]),
    ]
    for query in queries:
        mongo_query = query.filter()
        found = api.ctx.db[ISSUES].find(mongo_query)
        index = search_index(mongo_query)
        plan = await (found.hint(index) if index else found).explain()
        assert "IXSCAN" in str(plan["queryPlanner"]["winningPlan"]), mongo_query
