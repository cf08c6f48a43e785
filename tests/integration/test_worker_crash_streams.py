"""Kill -9 each service's worker in the middle of a stream of events, restart it: every effect exactly once.

Each test runs one service's worker as a real ``python -m hub_<service> --role worker`` process
against the test broker and database, streams ``HUB_CRASH_EVENTS`` events (default 1000) at it
through Kafka, SIGKILLs the worker once about a third of the effects exist (mid-batch: no offset
commit, no outbox marking, no lease release), starts a new one, and then counts every effect per
key: each one exists, and exactly once.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import zip_longest
from typing import Any

import pytest
from participation_testkit import online_forum, round_in_voting

from hub_assets.__main__ import DEFINITION as ASSETS
from hub_assets.adapters.assets import ASSETS as ASSETS_COLLECTION
from hub_assets.adapters.maintenance import MAINTENANCE
from hub_assets.domain.assets import AssetFields
from hub_common import envelope
from hub_common.auth import Principal
from hub_common.contracts import CONTACTS_TOPIC, events_topic, inbound_topic
from hub_common.contracts.assets import DirectoryEntrySubmitted
from hub_common.contracts.contacts import VolunteerContactUpserted
from hub_common.contracts.issues import IssueReported, PartnerReportSubmitted
from hub_common.contracts.participation import (
    PartnerBallotSubmitted,
    PartnerRegistrationSubmitted,
    RegistrationConfirmed,
)
from hub_common.contracts.volunteers import HoursSubmitted, RegistrationSubmitted, VolunteerApproved
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_issues.adapters.issues import ISSUES as ISSUES_COLLECTION
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_notifications.adapters.messages import MESSAGES
from hub_participation.__main__ import DEFINITION as PARTICIPATION
from hub_participation.adapters.partner_messages import PARTNER_MESSAGES
from hub_participation.adapters.pb_ballots import BALLOTS
from hub_participation.domain.pb_count import voter_key
from hub_participation.service.partner_inbound import partner_person_id
from hub_testkit.events import cloud_event
from hub_testkit.outbox import count_outbox_events
from hub_testkit.partners import grant_partner
from hub_volunteers.__main__ import DEFINITION as VOLUNTEERS
from hub_volunteers.adapters.hours import HOURS
from hub_volunteers.adapters.volunteers import VOLUNTEERS as VOLUNTEERS_COLLECTION

pytestmark = pytest.mark.integration

EVENTS = int(os.environ.get("HUB_CRASH_EVENTS", "1000"))
KILL_AT = 1 / 3  # of the effects: well into the stream, with most of it still to come
WORKER_SETTINGS = {
    "outbox_lease_s": 3,  # the killed worker's relay lease expires soon
    # Batches of at most 100, so a third of the stream is a few batches in, not inside the first one.
    "consumer_batch_size": 100,
    # A batch that hits the killed worker's orphaned transaction gets WriteConflict until the server
    # reaps it (60 s, as mongod's transactionLifetimeLimitSeconds); retry every 2 s meanwhile rather
    # than backing off to 30 s and adding that to the recovery time.
    "consumer_backoff_max_s": 2,
}
RATE = int(os.environ.get("HUB_CRASH_EVENTS_PER_S", "200"))  # how fast the stream arrives


async def stream(kafka, records: Sequence[envelope.KafkaRecord]) -> None:
    """Produce ``records`` as a stream over about ``len(records) / RATE`` seconds, not as one backlog."""
    chunk = max(1, RATE // 5)
    await kafka.produce_all(records, chunk=chunk, pause_s=chunk / RATE)


async def crash_and_recover(
    start_worker: Callable[[], Any],  # a started ServiceProcess (tests/integration/conftest.py)
    records: Sequence[envelope.KafkaRecord],
    kafka,
    progress: Callable[[], Awaitable[int]],
    finished: Callable[[], Awaitable[bool]],
    wait_until,
    on_kill: Callable[[], Awaitable[None]] | None = None,
) -> int:
    """Stream ``records`` at a running worker; kill -9 it when ``progress`` reaches a third of them;
    keep streaming while it is dead; start a new one; wait until ``finished``.

    Returns the progress at the moment of the kill.
    """
    worker = start_worker()
    await worker.wait_for_log("partitions assigned")  # consuming: the stream meets a live worker
    producing = asyncio.ensure_future(stream(kafka, records))
    try:

        async def time_to_kill() -> bool:
            if producing.done():
                producing.result()  # a producer failure fails the test here
            return await progress() >= len(records) * KILL_AT

        await wait_until(time_to_kill, timeout_s=180, interval_s=0.2)
        worker.kill()
        done_at_kill = await progress()
        if on_kill is not None:
            await on_kill()
        assert done_at_kill < len(records), "the crash came too late to test anything"
        start_worker()
        await producing

        await wait_until(finished, timeout_s=240, interval_s=0.5)
        await asyncio.sleep(2)  # time for a duplicate to show up if there were one
        return done_at_kill
    finally:
        producing.cancel()


def reached(count: Callable[[], Awaitable[int]], expected: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await count() >= expected

    return check


# -- notifications: one email per event ------------------------------------------------------------


async def test_notifications_worker_killed_mid_stream_sends_every_email_and_repeats_only_the_one_in_flight(
    service_context, kafka, service_process, smtp_server, wait_until, unique
):
    """N/2 volunteers' contact details, then N/2 approvals → N/2 emails and N/2 in-app messages.

    A send is an external effect: if the worker dies after the mail server accepted an email and
    before it recorded that, the email goes again once the sending lease expires (at-least-once,
    as the service documents). So the property is: every email arrives; each repeat is a message
    that was in flight when the worker died (claimed and not yet recorded: at most one delivery
    batch, since a batch sends concurrently), and it carries the same Message-ID so the
    recipient's mail store shows it once. Claimed includes what the worker's consumer handed to its
    own delivery as it planned it (at most two batches wait so), of which none had been sent.
    """
    mailbox = smtp_server
    hub = f"hub-{unique}"
    ctx = await service_context(
        NOTIFICATIONS,
        smtp_port=mailbox.port,
        email_rate_per_s=0,  # the stream, not the politeness limit, is under test
        sending_lease_s=3,  # an email in flight at the crash goes again 3 s later, not 2 minutes
        **WORKER_SETTINGS,
    )
    people = [f"vol-{unique}-{n}" for n in range(EVENTS // 2)]
    address = {person: f"{person}@example.org" for person in people}
    contacts = [
        cloud_event(
            CONTACTS_TOPIC,
            VolunteerContactUpserted.event_type,
            "/hub/volunteers",
            person,
            {
                "person_id": person,
                "display_name": f"Volunteer {n}",
                "email": address[person],
                "hub_ids": [hub],
                "consented_channels": ["email"],
            },
        )
        for n, person in enumerate(people)
    ]
    approvals = [
        cloud_event(
            events_topic("volunteers"),
            VolunteerApproved.event_type,
            "/hub/volunteers",
            person,
            {"volunteer_id": person, "hub_id": hub, "approved_at": datetime.now(UTC).isoformat()},
            hub_id=hub,
        )
        for person in people
    ]
    await kafka.skip_history(ctx.settings.consumer_group, list(NOTIFICATIONS.consumes))
    await kafka.produce_all(contacts)  # the contact book fills first; the approvals then stream in
    ours = set(address.values())

    def emails() -> list:
        return [m for m in list(mailbox.messages) if m["To"] in ours]

    async def distinct_emails() -> int:
        return len({m["X-Hub-Message-Id"] for m in emails()})

    in_flight: set[str] = set()

    async def note_in_flight() -> None:
        async for message in ctx.db[MESSAGES].find({"hub_id": hub, "channel": "email", "status": "sending"}):
            in_flight.add(message["_id"])

    async def planned() -> int:  # the consumer's progress: approvals turned into email messages
        return await ctx.db[MESSAGES].count_documents({"hub_id": hub, "channel": "email"})

    async def all_sent() -> bool:
        delivered = await ctx.db[MESSAGES].count_documents({"hub_id": hub, "status": "delivered"})
        return await distinct_emails() == len(people) and delivered == 2 * len(people)

    await crash_and_recover(
        lambda: service_process("notifications", ctx.settings),
        approvals,
        kafka,
        planned,
        all_sent,
        wait_until,
        on_kill=note_in_flight,
    )

    received = Counter(m["X-Hub-Message-Id"] for m in emails())
    assert len(received) == len(people)  # every approval's email arrived
    repeated = {message_id for message_id, copies in received.items() if copies > 1}
    batch = ctx.settings.delivery_batch_size
    assert repeated <= in_flight and len(in_flight) <= 4 * batch, (repeated, in_flight)
    assert len(repeated) <= batch, repeated  # sent and not yet recorded: one batch at most
    assert all(copies <= 2 for copies in received.values())
    for email in emails():  # each went to its own volunteer, and a repeat is the same message
        message = await ctx.db[MESSAGES].find_one({"_id": email["X-Hub-Message-Id"]})
        assert address[message["person_id"]] == email["To"]
        assert email["Message-ID"] == f"<{message['_id']}@hub.localhost>"

    per_person_channel = await (
        await ctx.db[MESSAGES].aggregate(
            [
                {"$match": {"hub_id": hub}},
                {
                    "$group": {
                        "_id": {"p": "$person_id", "c": "$channel"},
                        "n": {"$sum": 1},
                        "s": {"$addToSet": "$status"},
                    }
                },
            ]
        )
    ).to_list()
    assert len(per_person_channel) == 2 * len(people)  # one email and one in-app message per approval
    assert all(group["n"] == 1 and group["s"] == ["delivered"] for group in per_person_channel)


async def docs_per(collection, key: str, match: dict) -> Counter:
    counts = await (
        await collection.aggregate([{"$match": match}, {"$group": {"_id": f"${key}", "n": {"$sum": 1}}}])
    ).to_list()
    return Counter({group["_id"]: group["n"] for group in counts})


# -- volunteers: partner registrations and hours ---------------------------------------------------


async def test_volunteers_worker_killed_mid_stream_records_every_partner_volunteer_and_hour_once(
    service_context, kafka, service_process, wait_until, unique
):
    """A partner centre registers N/4 volunteers and reports 3 entries of hours for each (N events)."""
    ctx = await service_context(VOLUNTEERS, **WORKER_SETTINGS)
    hub, source = f"hub-{unique}", f"/partners/lvc-{unique}"
    types = ["hub.volunteers.registration.submitted.v1", "hub.volunteers.hours.submitted.v1"]
    await grant_partner(ctx.db, f"lvc-{unique}", hubs=[hub], publishes=types)
    volunteers = EVENTS // 4
    hours_each = 3
    records = []
    for n in range(volunteers):
        ref = f"v{n}"
        records.append(
            cloud_event(
                inbound_topic("volunteers"),
                RegistrationSubmitted.event_type,
                source,
                ref,  # the key: a volunteer's registration and hours share a partition, in order
                {
                    "partner_ref": ref,
                    "hub_id": hub,
                    "name": f"Partner Volunteer {n}",
                    "date_of_birth": "1990-01-01",
                    "consent": {"data_processing": True, "wording_version": "lvc-3", "given_at": _now()},
                },
            )
        )
        for h in range(hours_each):
            records.append(
                cloud_event(
                    inbound_topic("volunteers"),
                    HoursSubmitted.event_type,
                    source,
                    ref,
                    {
                        "partner_ref": f"h{n}-{h}",
                        "hub_id": hub,
                        "volunteer_partner_ref": ref,
                        "hours": h + 1,
                        "worked_on": (date.today() - timedelta(days=h + 1)).isoformat(),
                    },
                )
            )
    expected = len(records)
    await kafka.skip_history(ctx.settings.consumer_group, list(VOLUNTEERS.consumes))

    async def effects() -> int:
        return await ctx.db[VOLUNTEERS_COLLECTION].count_documents({"hub_id": hub}) + await ctx.db[
            HOURS
        ].count_documents({"hub_id": hub})

    await crash_and_recover(
        lambda: service_process("volunteers", ctx.settings),
        records,
        kafka,
        effects,
        reached(effects, expected),
        wait_until,
    )

    registered = await docs_per(ctx.db[VOLUNTEERS_COLLECTION], "partner_ref", {"hub_id": hub})
    assert len(registered) == volunteers and set(registered.values()) == {1}
    logged = await docs_per(ctx.db[HOURS], "partner_ref", {"hub_id": hub})
    assert len(logged) == volunteers * hours_each and set(logged.values()) == {1}
    minutes = await docs_per_sum(ctx.db[HOURS], "volunteer_id", "minutes", {"hub_id": hub})
    assert set(minutes.values()) == {60 * (1 + 2 + 3)}  # no volunteer's hours counted twice

    # Each effect raised its event once, and the relay (killed with the worker) published them all.
    await wait_until(lambda: _none_pending(ctx, hub), timeout_s=60)
    registrations = await kafka.published_per(
        "volunteers", "hub.volunteers.volunteer.registered.v1", "volunteer_id", expected=volunteers, hub=hub
    )
    assert len(registrations) == volunteers and set(registrations.values()) == {1}
    hours_logged = await kafka.published_per(
        "volunteers", "hub.volunteers.hours.logged.v1", "hours_id", expected=volunteers * hours_each, hub=hub
    )
    assert len(hours_logged) == volunteers * hours_each and set(hours_logged.values()) == {1}


async def docs_per_sum(collection, key: str, field: str, match: dict) -> Counter:
    sums = await (
        await collection.aggregate([{"$match": match}, {"$group": {"_id": f"${key}", "n": {"$sum": f"${field}"}}}])
    ).to_list()
    return Counter({group["_id"]: group["n"] for group in sums})


async def _none_pending(ctx, hub: str) -> bool:
    return await count_outbox_events(ctx.db, {"hub_id": hub, "status": "pending"}) == 0


def _now() -> str:
    return datetime.now(UTC).isoformat()


# -- assets: partner directory entries and maintenance from issue reports --------------------------


async def test_assets_worker_killed_mid_stream_keeps_every_entry_and_opens_maintenance_once_per_issue(
    service_context, kafka, service_process, wait_until, unique
):
    """N/2 partner directory entries (each a new asset) and N/2 issues reported against our rooms."""
    ctx = await service_context(ASSETS, **WORKER_SETTINGS)
    hub, partner = f"hub-{unique}", f"partner-{unique}"
    await grant_partner(ctx.db, partner, hubs=[hub], publishes=[DirectoryEntrySubmitted.event_type])
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(hub,))
    service = ctx.components.use_cases.assets
    rooms = [
        await service.register(
            staff, AssetFields(kind="room", hub_id=hub, name=f"Room {n}", location={"lat": 53.815, "lon": -1.55})
        )
        for n in range(10)
    ]
    entries = [str(uuid.uuid4()) for _ in range(EVENTS // 2)]
    issues = [f"iss-{unique}-{n}" for n in range(EVENTS - len(entries))]
    submitted = [
        cloud_event(
            inbound_topic("assets"),
            DirectoryEntrySubmitted.event_type,
            f"/partners/{partner}",
            entry_id,
            DirectoryEntrySubmitted(
                entry_id=entry_id,
                partner_id=partner,
                hub_id=hub,
                kind="service",
                name=f"Repair Cafe {n}",
                service={"offer": "Bring broken things; volunteers fix them", "schedule": "Saturdays"},
            ).model_dump(mode="json"),
        )
        for n, entry_id in enumerate(entries)
    ]
    reported = [
        cloud_event(
            events_topic("issues"),
            IssueReported.event_type,
            "/hub/issues",
            issue_id,
            IssueReported(
                issue_id=issue_id,
                hub_id=hub,
                service_code="broken-equipment",
                service_name="Broken equipment",
                description=f"Fault number {n}",
                location={"lat": 53.815, "lon": -1.55},
                asset_id=rooms[n % len(rooms)].id,
                reporter_id=f"resident-{n}",
                requested_at=datetime.now(UTC),
            ).model_dump(mode="json"),
            hub_id=hub,
        )
        for n, issue_id in enumerate(issues)
    ]
    records = [r for pair in zip(submitted, reported, strict=False) for r in pair]
    await kafka.skip_history(ctx.settings.consumer_group, list(ASSETS.consumes))

    async def effects() -> int:
        return await ctx.db[ASSETS_COLLECTION].count_documents({"owner_id": partner}) + await ctx.db[
            MAINTENANCE
        ].count_documents({"hub_id": hub})

    await crash_and_recover(
        lambda: service_process("assets", ctx.settings), records, kafka, effects, reached(effects, EVENTS), wait_until
    )

    assert await ctx.db[ASSETS_COLLECTION].count_documents({"owner_id": partner}) == len(entries)
    maintenance = await docs_per(ctx.db[MAINTENANCE], "issue_id", {"hub_id": hub})
    assert set(maintenance) == set(issues) and set(maintenance.values()) == {1}
    await wait_until(lambda: _none_pending(ctx, hub), timeout_s=60)
    registered = await kafka.published_per(
        "assets", "hub.assets.asset.registered.v1", "asset_id", expected=len(entries), hub=hub
    )
    assert set(registered) >= set(entries) and all(registered[e] == 1 for e in entries)
    opened = await kafka.published_per(
        "assets", "hub.assets.maintenance.opened.v1", "issue_id", expected=len(issues), hub=hub
    )
    assert set(opened) == set(issues) and set(opened.values()) == {1}


# -- issues: partner reports on hub.issues.inbound -------------------------------------------------


async def test_issues_worker_killed_mid_stream_turns_each_partner_report_into_exactly_one_issue(
    service_context, kafka, service_process, wait_until, unique
):
    ctx = await service_context(ISSUES, **WORKER_SETTINGS)
    await ISSUES.seed_demo_data(ctx)  # hubs with boundaries and their categories
    source = f"/partners/riverside-housing-{unique}"
    hubs = ["hub-northfield", "hub-riverside"]
    await grant_partner(ctx.db, f"riverside-housing-{unique}", hubs=hubs, publishes=[PartnerReportSubmitted.event_type])
    spread = random.Random(unique)
    records = [
        cloud_event(
            inbound_topic("issues"),
            PartnerReportSubmitted.event_type,
            source,
            f"RH-{n}",
            {
                "partner_ref": f"RH-{n}",
                "service_code": "graffiti",
                "description": f"Graffiti on garage door {n}",
                # Spread over the Riverside hub, as real reports are (not all on one duplicate cluster).
                "location": {"lat": spread.uniform(53.772, 53.798), "lon": spread.uniform(-1.578, -1.522)},
                "attributes": {"offensive": "no"},
                "reporter_ref": f"tenant-{n}",
            },
        )
        for n in range(EVENTS)
    ]
    await kafka.skip_history(ctx.settings.consumer_group, list(ISSUES.consumes))

    async def effects() -> int:
        return await ctx.db[ISSUES_COLLECTION].count_documents({"submitted_by": source})

    await crash_and_recover(
        lambda: service_process("issues", ctx.settings), records, kafka, effects, reached(effects, EVENTS), wait_until
    )

    issues = await docs_per(ctx.db[ISSUES_COLLECTION], "partner_key", {"submitted_by": source})
    assert set(issues) == {f"{source}|RH-{n}" for n in range(EVENTS)} and set(issues.values()) == {1}
    ids = {doc["_id"] async for doc in ctx.db[ISSUES_COLLECTION].find({"submitted_by": source}, {"_id": 1})}
    await wait_until(lambda: _none_pending_for(ctx, ids), timeout_s=60)
    reported = await kafka.published_per(
        "issues", "hub.issues.issue.reported.v1", "issue_id", expected=len(ids), subjects=ids
    )
    assert set(reported) == ids and set(reported.values()) == {1}


async def _none_pending_for(ctx, subjects: set[str]) -> bool:
    return await count_outbox_events(ctx.db, {"subject": {"$in": list(subjects)}, "status": "pending"}) == 0


# -- participation: partners' paper ballots and forum registrations on hub.participation.inbound ---


async def test_participation_worker_killed_mid_stream_applies_every_vote_and_registration_once(
    service_context, kafka, service_process, wait_until, unique
):
    """N/2 ballots from a library's voting station (a quarter of its voters vote twice, and their
    second ballot is the one that counts) and N/2 forum registrations from its phone line."""
    ctx = await service_context(PARTICIPATION, **WORKER_SETTINGS)
    hub, library = f"hub-{unique}", f"library-{unique}"
    source = f"/partners/{library}"
    await grant_partner(
        ctx.db,
        library,
        hubs=[hub],
        publishes=[PartnerBallotSubmitted.event_type, PartnerRegistrationSubmitted.event_type],
    )
    use_cases = ctx.components.use_cases
    budget_round, projects = await round_in_voting(use_cases, hub, unique)
    meeting = await online_forum(use_cases, hub, unique, places=EVENTS - EVENTS // 2)

    ballots = EVENTS // 2
    again = ballots // 5  # voters whose second ballot replaces their first
    voters = [f"reader-{n}" for n in range(ballots - again)]
    first_choice = {voter: [projects[n % 3]] for n, voter in enumerate(voters)}
    last_choice = dict(first_choice)
    cast = [(voter, first_choice[voter]) for voter in voters]
    for voter in voters[:again]:
        last_choice[voter] = [projects[(voters.index(voter) + 1) % 3], projects[3]]
        cast.append((voter, last_choice[voter]))
    callers = [f"caller-{n}" for n in range(EVENTS - ballots)]
    ballot_records = [
        cloud_event(
            inbound_topic("participation"),
            PartnerBallotSubmitted.event_type,
            source,
            voter,  # the key: one person's ballots share a partition, in the order they were cast
            {
                "partner_ref": f"paper-{n}",
                "hub_id": hub,
                "round_id": budget_round.id,
                "person_ref": voter,
                "choices": choices,
            },
        )
        for n, (voter, choices) in enumerate(cast)
    ]
    registration_records = [
        cloud_event(
            inbound_topic("participation"),
            PartnerRegistrationSubmitted.event_type,
            source,
            caller,
            {
                "partner_ref": f"call-{n}",
                "hub_id": hub,
                "meeting_id": meeting.id,
                "person_ref": caller,
                "access_needs": "Step-free access" if n % 10 == 0 else None,
            },
        )
        for n, caller in enumerate(callers)
    ]
    records = [r for pair in zip_longest(ballot_records, registration_records) for r in pair if r is not None]
    await kafka.skip_history(ctx.settings.consumer_group, list(PARTICIPATION.consumes))

    async def taken() -> int:  # each message taken once, in the same transaction as its effect
        return await ctx.db[PARTNER_MESSAGES].count_documents({"source": source})

    await crash_and_recover(
        lambda: service_process("participation", ctx.settings),
        records,
        kafka,
        taken,
        reached(taken, EVENTS),
        wait_until,
    )

    assert await taken() == EVENTS
    key = ctx.settings.pb_ballot_key.get_secret_value().encode()
    stored = {doc["_id"]: doc["choices"] async for doc in ctx.db[BALLOTS].find({"round_id": budget_round.id})}
    expected = {
        voter_key(key, budget_round.id, partner_person_id(source, voter)): sorted(choices)
        for voter, choices in last_choice.items()
    }
    assert stored == expected  # one ballot per voter, each with their last choice
    counted = await ctx.components.use_cases.pb_rounds.get(None, budget_round.id)
    assert counted.ballots == len(voters)  # the round's count of voters, once each

    held = (await ctx.components.use_cases.meetings.get(meeting.id)).registrations
    per_person = Counter(r.person_id for r in held)
    assert set(per_person) == {partner_person_id(source, c) for c in callers} and set(per_person.values()) == {1}
    assert all(r.status == "registered" for r in held)  # capacity for everyone: no one on the waitlist

    # Each registration raised its confirmation once, and the relay (killed with the worker) published them.
    await wait_until(lambda: _none_pending(ctx, hub), timeout_s=60)
    confirmed = await kafka.published_per(
        "participation", RegistrationConfirmed.event_type, "person_id", expected=len(callers), hub=hub
    )
    assert set(confirmed) == set(per_person) and set(confirmed.values()) == {1}
