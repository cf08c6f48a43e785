"""Privacy requests at their owner: who may log one, how a person is found, answers, receipt, export."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

from hub_common.contracts.privacy import ANSWER_TYPES, HeldData
from hub_common.uow import IDEMPOTENCY
from hub_notifications.adapters.privacy import EXPORTS
from hub_notifications.domain.contacts import Contact
from hub_notifications.domain.privacy import one_month_after
from hub_testkit.service_api import assert_problem

EMAIL = "Priya.Shah@Example.org"
OPENED = "hub.notifications.privacy_request.opened.v1"


async def know(api, person_id: str, source: str, **details) -> None:
    """The contact book learnt this person's details from ``source`` (as from hub.contacts)."""
    contact = Contact(id=person_id, display_name="Priya", source=source, updated_at=datetime.now(UTC), **details)
    await api.use_cases.contacts.contacts.save(contact, None)


async def answer(api, request_id: str, service: str, *, kind: str = "erasure", export=None, held=()) -> None:
    data = ANSWER_TYPES[service](request_id=request_id, service=service, kind=kind, held=list(held), export=export)
    await api.ctx.uow.run(lambda tx: api.use_cases.privacy.record_answer(data, tx))


def officer(api) -> dict[str, str]:
    return api.auth("privacy", "dpo-alex", hubs=())


async def test_only_the_privacy_team_logs_and_reads_requests_and_bad_ones_change_nothing(api) -> None:
    body = {"kind": "erasure", "email": EMAIL, "reference": "DP-1", "reason": "letter"}
    assert_problem(await api.client.post("/v1/privacy/requests", json=body), 401)
    for role in ("staff", "resident", "partner"):
        response = await api.client.post("/v1/privacy/requests", json=body, headers=api.auth(role))
        assert_problem(response, 403)
        assert_problem(await api.client.get("/v1/privacy/requests", headers=api.auth(role)), 403)
    nobody = {"kind": "erasure", "reference": "DP-1", "reason": "letter"}
    problem = assert_problem(await api.client.post("/v1/privacy/requests", json=nobody, headers=officer(api)), 422)
    assert problem["errors"][0]["field"] == "email"
    typo = {**body, "emial": EMAIL}
    assert_problem(await api.client.post("/v1/privacy/requests", json=typo, headers=officer(api)), 422)
    assert await api.count("privacy_requests") == 0 and await api.outbox(OPENED) == []
    assert_problem(await api.client.get("/v1/privacy/requests/pr-nope", headers=officer(api)), 404)


async def test_a_request_names_every_id_the_person_has_and_no_identifier(api) -> None:
    await know(api, "vol-1", "/hub/volunteers", email="priya.shah@example.org", phone="+44 7700 900123")
    await know(api, "res-a", "/hub/issues", email="PRIYA.SHAH@example.org")
    await know(api, "res-b", "/hub/issues", phone="07700900123")  # found by phone alone
    await know(api, "res-other", "/hub/issues", email="sam@example.org")

    body = {"kind": "erasure", "email": EMAIL, "phone": "07700 900123", "reference": "DP-7", "reason": "phone call"}
    response = await api.client.post("/v1/privacy/requests", json=body, headers=officer(api))
    assert response.status_code == 202, response.text
    request = response.json()
    assert response.headers["Location"] == f"/v1/privacy/requests/{request['id']}"
    assert request["people_found"] == 3 and request["status"] == "open" and request["handled_by"] == "dpo-alex"
    assert datetime.fromisoformat(request["due_at"]) == one_month_after(datetime.fromisoformat(request["received_at"]))
    assert [(s["service"], s["status"]) for s in request["services"]] == [
        ("volunteers", "waiting"),
        ("issues", "waiting"),
        ("assets", "waiting"),
        ("notifications", "waiting"),
        ("participation", "waiting"),
    ]
    [event] = await api.outbox(OPENED)
    assert event["topic"] == "hub.privacy" and event["subject"] == request["id"]
    assert event["data"]["person_ids"] == ["res-a", "res-b", "vol-1"]
    assert "priya" not in json.dumps(event, default=str).lower() and "7700" not in json.dumps(event, default=str)
    listed = (await api.client.get("/v1/privacy/requests", headers=officer(api))).json()
    assert [r["id"] for r in listed["items"]] == [request["id"]]


async def test_the_last_answer_completes_it_with_a_receipt_and_the_identifiers_go(api) -> None:
    headers = {**officer(api), "Idempotency-Key": "k-1"}
    body = {"kind": "erasure", "email": EMAIL, "reference": "DP-8", "reason": "letter"}
    request_id = (await api.client.post("/v1/privacy/requests", json=body, headers=headers)).json()["id"]
    reports = HeldData(kind="reports made", count=2, action="unlinked")
    await answer(api, request_id, "issues", held=[reports])
    await answer(api, request_id, "issues", held=[])  # a replay keeps the first answer
    for service in ("volunteers", "assets", "participation"):
        await answer(api, request_id, service)
    waiting = (await api.client.get(f"/v1/privacy/requests/{request_id}", headers=officer(api))).json()
    assert waiting["status"] == "open" and waiting["email"].lower() == EMAIL.lower()
    assert [s["service"] for s in waiting["services"] if s["status"] == "waiting"] == ["notifications"]

    await answer(api, request_id, "notifications")
    done = (await api.client.get(f"/v1/privacy/requests/{request_id}", headers=officer(api))).json()
    assert done["status"] == "completed" and done["email"] is None and done["completed_at"]
    [issues] = [s for s in done["services"] if s["service"] == "issues"]
    assert issues["held"] == [reports.model_dump()]
    # The stored response to the request that opened it named the person: it is gone too.
    record = await api.db[IDEMPOTENCY].find_one({"about": request_id})
    assert record is not None and "result" not in record
    assert_problem(await api.client.post("/v1/privacy/requests", json=body, headers=headers), 410)
    # Each answer is superseded in the topic; the request once, when it completes.
    assert len(await api.outbox("hub.notifications.privacy_answer.collected.v1")) == 6
    assert len(await api.outbox("hub.notifications.privacy_request.completed.v1", subject=request_id)) == 1
    assert_problem(await api.client.get(f"/v1/privacy/requests/{request_id}/export", headers=officer(api)), 409)


async def test_an_access_export_is_one_zip_until_retention_deletes_it(api) -> None:
    body = {"kind": "access", "email": EMAIL, "reference": "DP 9/2026", "reason": "email"}
    request_id = (await api.client.post("/v1/privacy/requests", json=body, headers=officer(api))).json()["id"]
    export_url = f"/v1/privacy/requests/{request_id}/export"
    await answer(api, request_id, "issues", kind="access", export={"reports": [{"id": "r1"}]})
    assert_problem(await api.client.get(export_url, headers=officer(api)), 409)  # not every service answered
    for service in ("volunteers", "assets", "notifications", "participation"):
        await answer(api, request_id, service, kind="access", export={"from": service})
    assert_problem(await api.client.get(export_url, headers=api.auth("staff")), 403)

    response = await api.client.get(export_url, headers=officer(api))
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert 'filename="subject-access-DP-9-2026.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    assert files["issues.json"] == {"reports": [{"id": "r1"}]} and files["assets.json"] == {"from": "assets"}
    assert set(files["receipt.json"]["services"]) == set(ANSWER_TYPES)

    # Retention: the export's parts go once the request completed longer ago than the period.
    [retention] = [task for task in api.ctx.components.periodic if task.name == "retention"]
    assert (await retention.run())["subject access exports"] == 0  # completed just now
    await api.db[EXPORTS].update_many({}, {"$set": {"completed_at": datetime.now(UTC) - timedelta(days=8)}})
    assert (await retention.run())["subject access exports"] == 5  # one part per service
    assert await api.count(EXPORTS) == 0


def test_a_month_after_is_the_same_day_or_the_month_s_last() -> None:
    at = datetime(2027, 1, 31, 9, 30, tzinfo=UTC)
    assert one_month_after(at) == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    assert one_month_after(datetime(2026, 12, 3, tzinfo=UTC)) == datetime(2027, 1, 3, tzinfo=UTC)
