"""Privacy requests at their owner: who may log one, how a person is found, answers, receipt, export."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

from hub_common.contracts import contract_for
from hub_common.contracts.privacy import ANSWER_TYPES, HeldData
from hub_common.envelope import Envelope
from hub_common.uow import IDEMPOTENCY
from hub_notifications.adapters.messages import MESSAGES
from hub_notifications.adapters.privacy import ATTEMPTS, CONFIRMATIONS, EXPORTS
from hub_notifications.domain.contacts import Contact
from hub_notifications.domain.privacy import SELF, one_month_after
from hub_testkit.service_api import assert_problem

EMAIL = "Priya.Shah@Example.org"
OPENED = "hub.notifications.privacy_request.opened.v1"
CONFIRM = "hub.notifications.privacy_confirmation.requested.v1"


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
    # Neither the email nor the phone number (its digits: "7700" alone can be a timestamp's microseconds).
    published = json.dumps(event, default=str).lower()
    assert "priya" not in published and "900123" not in published
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
    audit = (await api.client.get("/v1/audit/access", params={"reader": "dpo-alex"}, headers=officer(api))).json()
    assert audit["items"][0]["why"] == "export downloaded" and audit["items"][0]["record_ids"] == [request_id]

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


# -- the person's own request, by the link emailed to them -----------------------------------------


async def consume_own(api, event_type: str) -> Envelope:
    """Hand the service its own newest event of this type from the outbox, as its consumer would."""
    [doc] = (await api.outbox(event_type))[-1:]
    contract = contract_for(event_type)
    event = Envelope(
        id=doc["_id"],
        source=doc["source"],
        type=event_type,
        time=doc["created_at"],
        subject=doc["subject"],
        data=contract.model(**doc["data"]),
    )
    handler = api.ctx.components.handlers[event_type]
    await api.ctx.uow.run(lambda tx: handler(event, tx))
    return event


async def link_token(api, message: dict) -> tuple[str, str]:
    """The path and the sign-in token of the link an emailed message carries, signed as its delivery
    signs it (by the session's real issuer)."""
    from hub_notifications.adapters.messages import MessageRepository

    signed = await api.use_cases.delivery.sign_in_links.signed(
        MessageRepository(api.db).from_document(message), datetime.now(UTC)
    )
    path, _, token = signed.values["link"].removeprefix("http://").partition("?token=")
    return path[path.index("/") :], token


async def test_a_person_asks_by_email_confirms_once_by_the_link_and_gets_their_export_by_another(api) -> None:
    await know(api, "res-a", "/hub/issues", email="priya.shah@example.org", consented_channels=("email",))
    await know(api, "vol-9", "/hub/volunteers", email="Priya.Shah@example.org", consented_channels=())
    same = {"detail": "If we hold anything about this email address, we have sent it a link to confirm your request."}
    unknown = await api.client.post("/v1/privacy/self-requests", json={"kind": "access", "email": "who@example.org"})
    assert unknown.status_code == 202 and unknown.json() == same
    assert await api.outbox(CONFIRM) == []  # nothing to confirm: no link is sent to an address we do not know
    known = await api.client.post("/v1/privacy/self-requests", json={"kind": "access", "email": EMAIL})
    assert known.status_code == 202 and known.json() == same  # the same answer either way
    [asked] = await api.outbox(CONFIRM)
    assert asked["data"]["person_id"] == "res-a"  # the contact that agreed to email
    assert "priya" not in json.dumps(asked["data"]).lower()

    await consume_own(api, CONFIRM)  # notifications plans the email from its own event
    [email] = await api.db[MESSAGES].find({"message_type": "privacy_confirmation"}).to_list()
    assert email["person_id"] == "res-a" and email["channel"] == "email" and email["critical"] is True
    path, token = await link_token(api, email)
    confirmation_id = asked["data"]["confirmation_id"]
    assert path == f"/privacy/confirm/{confirmation_id}"

    url = f"/v1/privacy/confirmations/{confirmation_id}"
    assert_problem(await api.client.post(url, headers=api.auth("resident", "res-a")), 403)  # not the link's token
    confirmed = await api.client.post(url, headers={"Authorization": f"Bearer {token}"})
    assert confirmed.status_code == 202, confirmed.text
    assert_problem(await api.client.post(url, headers={"Authorization": f"Bearer {token}"}), 410)  # works once
    [opened] = await api.outbox(OPENED)
    assert opened["data"]["person_ids"] == ["res-a", "vol-9"] and opened["data"]["kind"] == "access"
    request_id = opened["subject"]
    request = (await api.client.get(f"/v1/privacy/requests/{request_id}", headers=officer(api))).json()
    assert request["handled_by"] == SELF

    for service in ANSWER_TYPES:
        await answer(api, request_id, service, kind="access", export={"from": service})
    completed = (await api.outbox("hub.notifications.privacy_request.completed.v1"))[-1]["data"]
    assert completed["person_id"] == "res-a" and completed["export_sub"] == f"privacy-export:{request_id}"
    await consume_own(api, "hub.notifications.privacy_request.completed.v1")
    [ready] = await api.db[MESSAGES].find({"message_type": "privacy_export_ready"}).to_list()
    path, token = await link_token(api, ready)
    assert path == f"/privacy/exports/{request_id}"
    export_url = f"/v1/privacy/requests/{request_id}/export"
    download = await api.client.get(export_url, headers={"Authorization": f"Bearer {token}"})
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert_problem(await api.client.get(export_url, headers=api.auth("resident", "res-a")), 403)


async def test_asking_by_email_is_limited_per_address_and_the_links_expire(api) -> None:
    await know(api, "res-a", "/hub/issues", email="priya.shah@example.org", consented_channels=("email",))
    for _ in range(3):
        response = await api.client.post("/v1/privacy/self-requests", json={"kind": "erasure", "email": EMAIL})
        assert response.status_code == 202
    refused = await api.client.post("/v1/privacy/self-requests", json={"kind": "erasure", "email": EMAIL.upper()})
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert len(await api.outbox(CONFIRM)) == 3  # the refused ask sent nothing
    bad = await api.client.post("/v1/privacy/self-requests", json={"kind": "forget", "email": "x"})
    assert_problem(bad, 422)

    # An expired link is refused, and retention removes it with the address it was asked for.
    [first, *_] = await api.outbox(CONFIRM)
    confirmation_id = first["data"]["confirmation_id"]
    await api.db[CONFIRMATIONS].update_many({}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(hours=1)}})
    token = api.token("resident", f"privacy-confirmation:{confirmation_id}")
    expired = await api.client.post(
        f"/v1/privacy/confirmations/{confirmation_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert_problem(expired, 410)
    [retention] = [task for task in api.ctx.components.periodic if task.name == "retention"]
    assert (await retention.run())["unconfirmed privacy requests"] >= 3
    assert await api.count(CONFIRMATIONS) == 0 and await api.outbox(OPENED) == []
    # The hashed record of the asks goes too, once it can no longer limit another ask.
    ran = await retention.run()
    assert ran["privacy request rate-limit counts"] == 0 and await api.count(ATTEMPTS) == 3
    await api.db[ATTEMPTS].update_many({}, {"$set": {"at": datetime.now(UTC) - timedelta(days=2)}})
    assert (await retention.run())["privacy request rate-limit counts"] == 3 and await api.count(ATTEMPTS) == 0
