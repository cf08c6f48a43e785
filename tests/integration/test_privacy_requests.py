"""One privacy request per person reaches every service, and leaves no copy behind.

The five services run as real processes (``--role all``) on the real broker and database. One
person's data is made through the public APIs of each (a volunteer registration, two Open311
reports, a room booking with contact details and a purpose, an idea shown under their name and a
support of someone else's), then the privacy team logs one request
by email. Erasure: afterwards no database collection (outboxes and idempotency records included), no
service log and no Kafka topic holds the person's email, name or phone, while the anonymous public
records stay. Access: the export holds every item made, and nobody else's.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import string
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from hub_assets.demo import demo_id
from hub_assets.settings import AssetsSettings
from hub_common.contracts import CONTACTS_TOPIC, PRIVACY_TOPIC, all_topics
from hub_issues.settings import IssuesSettings
from hub_notifications.settings import NotificationsSettings
from hub_participation.demo import demo_ideas
from hub_participation.settings import ParticipationSettings
from hub_testkit.events import cloud_event
from hub_testkit.processes import free_port
from hub_testkit.tokens import issue_token
from hub_volunteers.settings import VolunteersSettings

pytestmark = pytest.mark.integration

HUB = "hub-northfield"
# The ids one person's details reached notifications under: their volunteer record, each of their two
# Open311 reports (an id per report) and their signed-in account (the booking).
PEOPLE_FOUND = 4
SETTINGS = {
    "volunteers": VolunteersSettings,
    "issues": IssuesSettings,
    "assets": AssetsSettings,
    "notifications": NotificationsSettings,
    "participation": ParticipationSettings,
}
# The contract's compaction, with its lags shortened so the broker's cleaner gets to it in a test's time
# (each worker converges the shared topics' settings to these when it starts).
FAST_COMPACTION = {"contacts_min_compaction_lag_s": 0, "contacts_max_compaction_lag_s": 1}


class Person:
    """Someone whose details appear nowhere else in the test session."""

    def __init__(self) -> None:
        letters = "".join(random.choices(string.ascii_lowercase, k=8))
        self.first, self.last = "Ottoline", f"V{letters}"
        self.name = f"{self.first} {self.last}"
        self.email = f"ottoline.{letters}@example.org"
        digits = "".join(random.choices(string.digits, k=6))
        self.phone = f"07700 9{digits[:2]} {digits[2:]}"
        self.resident = f"res-{letters}"  # their signed-in account (web app)

    def needles(self) -> list[str]:
        """What must not be found: email, surname (unique to them) and phone in two spellings."""
        return [self.email, self.last, self.phone, self.phone.replace(" ", "")]


@pytest.fixture
async def platform(kafka, make_settings, service_process, smtp_server):
    """The five services as processes, reading only what is published from now on."""
    await kafka.ensure_contract_topics()
    processes = {}
    for service, settings_class in SETTINGS.items():
        extra = {"smtp_port": smtp_server.port} if service == "notifications" else {}
        settings = make_settings(
            settings_class,
            http_port=free_port(),
            demo_data=True,
            log_format="json",
            retention_interval_s=3600,
            **FAST_COMPACTION,
            **extra,
        )
        await kafka.skip_history(settings.consumer_group, all_topics())
        processes[service] = service_process(service, settings, role="all")
    for process in processes.values():
        await process.wait_until_serving(timeout_s=120)
        await process.wait_for_log("partitions assigned", timeout_s=120)
    return processes


def token(settings, role: str, sub: str, hubs=(HUB,)) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(sub=sub, role=role, hubs=list(hubs))}"}


async def make_their_data(platform, person: Person, *, hour: int = 10) -> dict[str, Any]:
    """Everything a resident who volunteers, reports, books and proposes leaves, through the public APIs."""
    made: dict[str, Any] = {}
    settings = platform["volunteers"].settings
    resident = token(settings, "resident", person.resident)
    async with httpx.AsyncClient(timeout=30) as http:
        registration = {
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "hub_id": HUB,
            "date_of_birth": "1990-05-01",
            "consent": {"data_processing": True, "channels": {"email": True, "sms": True}, "wording_version": "v1"},
            "emergency_contact": {"name": f"Mum {person.last}", "phone": person.phone, "relationship": "parent"},
        }
        response = await http.post(
            f"{platform['volunteers'].base_url}/v1/volunteers",
            json=registration,
            headers={**resident, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        made["volunteer"] = response.json()["id"]

        api_key = issue_token(sub="council-app", role="partner", hubs=[HUB])
        made["reports"] = []
        for where in ("by the bus shelter", "behind the library"):
            response = await http.post(
                f"{platform['issues'].base_url}/open311/v2/requests.json",
                data={
                    "api_key": api_key,
                    "service_code": "litter",
                    "lat": "53.8150",
                    "long": "-1.5500",
                    "description": f"Bags of rubbish dumped {where}",
                    "email": person.email,
                    "first_name": person.first,
                    "last_name": person.last,
                    "phone": person.phone,
                },
            )
            assert response.status_code in (200, 201), response.text
            made["reports"].append(response.json()[0]["service_request_id"])

        start = _next_weekday_at(datetime.now(UTC) + timedelta(days=3), hour=hour)
        room = demo_id(HUB, "Meeting Room 1")
        response = await http.post(
            f"{platform['assets'].base_url}/v1/rooms/{room}/bookings",
            json={
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "purpose": f"{person.first}'s birthday tea",
                "contact": {"display_name": person.name, "email": person.email, "phone": person.phone},
            },
            headers={**resident, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        made["booking"] = response.json()["id"]
        made["booking_request"] = response.request

        # An idea shown under the name they chose, and their support for one of the demo ideas.
        participation = platform["participation"].base_url
        response = await http.post(
            f"{participation}/v1/ideas",
            json={
                "hub_id": HUB,
                "title": "A community orchard on the green",
                "description": "Fruit trees on the green, looked after by neighbours.",
                "display_name": person.name,
            },
            headers={**resident, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        made["idea"] = response.json()["idea"]["id"]
        supported = next(i["id"] for i in demo_ideas() if i["hub"]["id"] == HUB and "answer" not in i)
        response = await http.post(f"{participation}/v1/ideas/{supported}/supports", json={}, headers=resident)
        assert response.status_code == 200 and response.json()["counted"], response.text
        made["supported"] = supported
    return made


async def until_notifications_knows(platform, person: Person, count: int, timeout_s: float = 90) -> None:
    """Until the contact book holds every id the person was given (what a request is resolved against)."""
    db = _db(platform["notifications"])
    deadline = time.monotonic() + timeout_s
    while await db.contacts.count_documents({"email_key": person.email}) < count:
        assert time.monotonic() < deadline, "notifications never learnt the person's contact details"
        await asyncio.sleep(0.3)


async def run_request(platform, person: Person, kind: str, timeout_s: float = 120) -> dict[str, Any]:
    request = await open_request(platform, person, kind)
    request = await until_request(platform, request["id"], lambda r: r["status"] == "completed", timeout_s)
    if kind == "access":
        async with officer_client(platform) as http:
            response = await http.get(f"/v1/privacy/requests/{request['id']}/export")
        assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
        request["archive"] = response.content
    assert request["email"] is None and request["phone"] is None  # the request itself forgets them
    return request


def officer_client(platform) -> httpx.AsyncClient:
    notifications = platform["notifications"]
    officer = token(notifications.settings, "privacy", "dpo-alex", hubs=())
    return httpx.AsyncClient(base_url=notifications.base_url, timeout=30, headers=officer)


async def open_request(platform, person: Person, kind: str) -> dict[str, Any]:
    async with officer_client(platform) as http:
        response = await http.post(
            "/v1/privacy/requests",
            json={"kind": kind, "email": person.email, "reference": f"DP-{kind}", "reason": "letter of 1 Dec"},
        )
    assert response.status_code == 202, response.text
    request = response.json()
    assert request["people_found"] == PEOPLE_FOUND and request["status"] == "open"
    assert {s["status"] for s in request["services"]} == {"waiting"}
    return request


async def until_request(platform, request_id: str, done, timeout_s: float = 120) -> dict[str, Any]:
    """The request as the privacy team sees it, once ``done(request)`` holds."""
    deadline = time.monotonic() + timeout_s
    async with officer_client(platform) as http:
        while not done(request := (await http.get(f"/v1/privacy/requests/{request_id}")).json()):
            assert time.monotonic() < deadline, f"the request did not get there: {request['services']}"
            await asyncio.sleep(0.5)
    return request


async def test_one_erasure_request_leaves_nothing_of_the_person_anywhere_and_the_public_record_stays(
    platform, kafka, smtp_server
) -> None:
    person, bystander = Person(), Person()
    made = await make_their_data(platform, person)
    others = await make_their_data(platform, bystander, hour=13)  # someone else, who must keep everything
    await until_notifications_knows(platform, person, count=PEOPLE_FOUND)
    await until_notifications_knows(platform, bystander, count=PEOPLE_FOUND)

    request = await run_request(platform, person, "erasure")

    receipt = {s["service"]: {line["kind"]: line["count"] for line in s["held"]} for s in request["services"]}
    assert receipt["issues"]["reports made"] == 2
    assert receipt["assets"]["room bookings"] == 1
    assert next(iter(receipt["volunteers"].values())) == 1
    assert receipt["notifications"]["contact details (name, email, phone, language)"] == PEOPLE_FOUND
    assert receipt["participation"] == {"ideas proposed": 1, "ideas supported": 1, "ideas followed": 1}

    # No service database holds them, in any collection (outboxes and idempotency records included).
    for service, process in platform.items():
        found = await _scan_database(_db(process), person.needles())
        assert not found, f"{service} still holds the person: {found}"
    for service in ("volunteers", "notifications"):  # the two that hold contact details
        assert await _scan_database(_db(platform[service]), [bystander.email]), f"{service} lost someone else's"
    # ... nor any service's log ...
    for service, process in platform.items():
        log = await asyncio.to_thread(process.log_path.read_text)
        assert not [n for n in person.needles() if n in log], f"{service}'s log names the person"
    # ... nor any topic, once the compacted ones have been cleaned (events keep arriving meanwhile).
    await _until_topics_clean(kafka.bootstrap_servers, person.needles(), keep=bystander.email)

    # The anonymous public records stay: the reports (what and where), the booking, the volunteer's id.
    async with httpx.AsyncClient(timeout=30) as http:
        for report in made["reports"]:
            response = await http.get(f"{platform['issues'].base_url}/open311/v2/requests/{report}.json")
            assert response.status_code == 200 and "Bags of rubbish" in response.text
        volunteer = await _db(platform["volunteers"]).volunteers.find_one({"_id": made["volunteer"]})
        assert volunteer is not None and volunteer["erased_at"] is not None
        booking = await _db(platform["assets"]).bookings.find_one({"_id": made["booking"]})
        assert booking is not None and booking["purpose"] == ""
        idea = (await http.get(f"{platform['participation'].base_url}/v1/ideas/{made['idea']}")).json()
        assert idea["proposed_by"] == "a resident" and idea["title"] == "A community orchard on the green"
        # A repeat of their booking request is refused: done once, its stored result erased.
        repeat = made["booking_request"]
        response = await http.post(str(repeat.url), content=repeat.content, headers=dict(repeat.headers))
        assert response.status_code == 410, response.text
    assert others["reports"]


async def test_a_service_that_is_down_answers_when_it_is_back_and_the_request_waits_for_it(platform) -> None:
    person = Person()
    await make_their_data(platform, person, hour=15)
    await until_notifications_knows(platform, person, count=PEOPLE_FOUND)
    assets = platform["assets"]
    assets.stop()

    opened = await open_request(platform, person, "erasure")
    waiting = await until_request(
        platform,
        opened["id"],
        lambda r: [s["service"] for s in r["services"] if s["status"] == "waiting"] == ["assets"],
    )
    assert waiting["status"] == "open"  # it says whom it waits for, and waits

    assets.start()
    await assets.wait_until_serving(timeout_s=120)
    done = await until_request(platform, opened["id"], lambda r: r["status"] == "completed")
    [answer] = [s for s in done["services"] if s["service"] == "assets"]
    assert [(line["kind"], line["count"]) for line in answer["held"]] == [("room bookings", 1)]
    booking = await _db(assets).bookings.find_one({"booker_id": person.resident})
    assert booking is not None and booking["purpose"] == ""


async def test_one_access_request_exports_everything_made_and_nobody_else_s(platform, kafka) -> None:
    person, bystander = Person(), Person()
    made = await make_their_data(platform, person)
    await make_their_data(platform, bystander, hour=13)
    await until_notifications_knows(platform, person, count=PEOPLE_FOUND)

    request = await run_request(platform, person, "access")

    with zipfile.ZipFile(io.BytesIO(request["archive"])) as archive:
        parts = {name.removesuffix(".json"): json.loads(archive.read(name)) for name in archive.namelist()}
    assert set(parts) == {"receipt", "volunteers", "issues", "assets", "notifications", "participation"}
    assert [v["volunteer"]["id"] for v in parts["volunteers"]["volunteers"]] == [made["volunteer"]]
    assert parts["volunteers"]["volunteers"][0]["volunteer"]["email"] == person.email
    assert sorted(r["id"] for r in parts["issues"]["reports"]) == sorted(made["reports"])
    assert [b["id"] for b in parts["assets"]["bookings"]] == [made["booking"]]
    assert parts["assets"]["bookings"][0]["purpose"] == f"{person.first}'s birthday tea"
    assert {c["email"] for c in parts["notifications"]["contact_details"]} == {person.email}
    assert len(parts["notifications"]["contact_details"]) == PEOPLE_FOUND
    assert [i["id"] for i in parts["participation"]["ideas"]] == [made["idea"]]
    assert parts["participation"]["ideas"][0]["shown_as"] == person.name
    assert parts["participation"]["supported"] == [made["supported"]]
    assert bystander.email not in json.dumps(parts) and bystander.last not in json.dumps(parts)
    # Access changes nothing: the person's data is all still there.
    assert await _scan_database(_db(platform["volunteers"]), [person.email])
    # The export travelled on hub.privacy; the owner's "collected" records supersede it there.
    await _until_topics_clean(kafka.bootstrap_servers, person.needles(), topics=[PRIVACY_TOPIC])


# -- helpers -----------------------------------------------------------------------------------------------


def _next_weekday_at(day: datetime, hour: int) -> datetime:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


_CLIENTS: dict[str, AsyncMongoClient] = {}


def _db(process):
    uri = process.settings.mongo_uri
    client = _CLIENTS.setdefault(uri, AsyncMongoClient(uri))
    return client[process.settings.mongo_db]


async def _scan_database(db, needles: list[str]) -> list[str]:
    """Where in the database any of ``needles`` appears: ``collection/_id`` of each document holding one."""
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find():
            text = json.dumps(doc, default=str).lower()
            if any(needle.lower() in text for needle in needles):
                found.append(f"{name}/{doc.get('_id')}")
    return found


async def _topic_values(bootstrap: str, topic: str, producer: AIOKafkaProducer) -> list[bytes]:
    """Every value in ``topic`` (the producer knows its partitions)."""
    partitions = [TopicPartition(topic, p) for p in sorted(await producer.partitions_for(topic))]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            for records in (await consumer.getmany(*partitions, timeout_ms=500)).values():
                values += [r.value for r in records if r.value is not None]
        return values
    finally:
        await consumer.stop()


async def _until_topics_clean(
    bootstrap: str, needles: list[str], *, keep: str | None = None, topics=None, timeout_s: float = 240
) -> None:
    """Until no topic holds any needle. The compacted ones are cleaned once a segment rolls, which
    Kafka does when the next event is written after the maximum lag: other people's events keep
    arriving on a running platform, so the test sends some (valid ones, that change nothing)."""
    topics = topics or all_topics()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            dirty = {}
            for topic in topics:
                values = await _topic_values(bootstrap, topic, producer)
                hits = [n for n in needles if any(n.encode() in v for v in values)]
                if hits:
                    dirty[topic] = hits
            if not dirty:
                break
            assert set(dirty) <= {CONTACTS_TOPIC, PRIVACY_TOPIC}, f"a topic that is never cleaned holds them: {dirty}"
            assert time.monotonic() < deadline, f"still in the topics: {dirty}"
            for topic in dirty:
                for partition in await producer.partitions_for(topic):
                    record = _harmless_event(topic)
                    await producer.send_and_wait(
                        topic, record.value, key=record.key, headers=record.headers, partition=partition
                    )
            await asyncio.sleep(1.0)
        if keep is not None:  # compaction kept everyone else's latest details
            assert any(keep.encode() in v for v in await _topic_values(bootstrap, CONTACTS_TOPIC, producer))
    finally:
        await producer.stop()


def _harmless_event(topic: str):
    """An event its consumers handle without effect: someone unknown erased, or an unknown request's answer."""
    someone = f"nobody-{uuid.uuid4().hex[:8]}"
    if topic == CONTACTS_TOPIC:
        event_type, source, data = "hub.issues.contact.erased.v1", "/hub/issues", {"person_id": someone}
    else:
        event_type, source = "hub.notifications.privacy_answer.collected.v1", "/hub/notifications"
        data = {"request_id": someone, "service": "issues"}
    return cloud_event(topic, event_type, source, someone, data)
