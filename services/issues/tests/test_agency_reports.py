"""The partner agency an issue is referred to reports back: over the API with its token, or on
hub.issues.inbound; the resident sees its updates among the issue's public history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from issues_testkit import NORTHFIELD, RIVERSIDE, deliver

from hub_common.consumer import PermanentError
from hub_common.contracts.issues import AgencyUpdateSubmitted
from hub_common.envelope import Envelope
from hub_testkit.partners import grant_partner
from hub_testkit.service_api import assert_problem

AGENCY = "north-highways"


async def referred(api) -> str:
    issue_id = (await api.report()).json()["issue"]["id"]
    body = {"action": "refer", "public_note": "Passed to Highways", "agency_responsible": AGENCY}
    response = await api.client.post(f"/v1/issues/{issue_id}/transitions", json=body, headers=api.staff())
    assert response.status_code == 200, response.text
    return issue_id


def agency(api, sub: str = AGENCY, hubs=(NORTHFIELD,)) -> dict[str, str]:
    return api.auth("partner", sub, tuple(hubs))


async def test_the_agency_reports_progress_and_the_fix_and_the_resident_sees_them(api) -> None:
    issue_id = await referred(api)
    update = await api.client.post(
        f"/v1/issues/{issue_id}/updates", json={"public_note": "Crew booked for Tuesday"}, headers=agency(api)
    )
    assert update.status_code == 200, update.text
    started = await api.client.post(
        f"/v1/issues/{issue_id}/transitions", json={"action": "start", "public_note": "On site"}, headers=agency(api)
    )
    assert started.json()["status"] == "in_progress"
    fixed = await api.client.post(
        f"/v1/issues/{issue_id}/transitions",
        json={"action": "fix", "public_note": "Bags removed and the verge swept"},
        headers=agency(api),
    )
    assert fixed.status_code == 200 and fixed.json()["status"] == "fixed"
    public = (await api.client.get(f"/v1/issues/{issue_id}")).json()
    notes = [(h.get("public_note"), h.get("by_role")) for h in public["history"]]
    assert ("Crew booked for Tuesday", "partner") in notes and ("Bags removed and the verge swept", "partner") in notes
    [event] = await api.outbox("hub.issues.issue.fixed.v1", subject=issue_id)
    assert event["data"]["changed_by_role"] == "partner"
    assert await api.outbox("hub.issues.issue.update_published.v1", subject=issue_id)


async def test_only_the_agency_it_is_referred_to_and_only_what_an_agency_may_do(api) -> None:
    issue_id = await referred(api)
    url = f"/v1/issues/{issue_id}/transitions"
    other = agency(api, "riverside-housing")
    assert_problem(
        await api.client.post(f"/v1/issues/{issue_id}/updates", json={"public_note": "x"}, headers=other), 403
    )
    assert_problem(await api.client.post(url, json={"action": "fix", "public_note": "x"}, headers=other), 403)
    # The agency, but not granted the issue's hub.
    elsewhere = agency(api, hubs=(RIVERSIDE,))
    assert_problem(await api.client.post(url, json={"action": "fix", "public_note": "x"}, headers=elsewhere), 403)
    # The agency may not do what only the hub does.
    for action in ("acknowledge", "refer", "close"):
        body = {"action": action, "public_note": "x", "agency_responsible": "someone"}
        assert_problem(await api.client.post(url, json=body, headers=agency(api)), 403)
    # A resident never publishes updates.
    resident = api.auth("resident", "res-1")
    assert_problem(
        await api.client.post(f"/v1/issues/{issue_id}/updates", json={"public_note": "x"}, headers=resident), 403
    )
    # Once the hub takes it back (starts it itself and fixes it), the agency has no say on it.
    await api.client.post(url, json={"action": "fix", "public_note": "Done by the hub"}, headers=api.staff())
    assert_problem(
        await api.client.post(f"/v1/issues/{issue_id}/updates", json={"public_note": "x"}, headers=agency(api)), 403
    )
    assert (await api.client.get(f"/v1/issues/{issue_id}")).json()["status"] == "fixed"


def report_back(issue_id: str, kind: str, source: str = f"/partners/{AGENCY}", **fields) -> Envelope:
    data = AgencyUpdateSubmitted(issue_id=issue_id, kind=kind, public_note=f"{kind} from the agency", **fields)
    return Envelope(
        id=str(uuid.uuid4()), source=source, type=data.event_type, time=datetime.now(UTC), subject=issue_id, data=data
    )


async def test_the_agency_reports_back_on_the_inbound_topic(api) -> None:
    issue_id = await referred(api)
    await grant_partner(api.db, AGENCY, hubs=[NORTHFIELD], publishes=[AgencyUpdateSubmitted.event_type])
    await deliver(api, report_back(issue_id, "progress"))
    with pytest.raises(PermanentError, match="say why it is closed without a fix"):
        await deliver(api, report_back(issue_id, "not_fixed"))  # not fixed needs a reason
    await deliver(api, report_back(issue_id, "not_fixed", reason="It is on private land"))
    issue = (await api.client.get(f"/v1/issues/{issue_id}")).json()
    assert issue["status"] == "closed_not_fixed"
    assert "progress from the agency" in [h.get("public_note") for h in issue["history"]]
    # Closed now: a further report back is refused, with the reason, to the DLT.
    with pytest.raises(PermanentError, match="refused"):
        await deliver(api, report_back(issue_id, "progress"))
    # A partner the issue is not referred to, even if granted the type and hub.
    await grant_partner(api.db, "riverside-housing", hubs=[NORTHFIELD], publishes=[AgencyUpdateSubmitted.event_type])
    other_issue = await referred(api)
    with pytest.raises(PermanentError, match="referred to it"):
        await deliver(api, report_back(other_issue, "fixed", source="/partners/riverside-housing"))
