"""A report made over Open311 reaches the reporter as an email and a partner as a signed webhook.

Real pieces only: the issues API and its outbox relay, Kafka, the notifications worker, a real
SMTP server and a real HTTP endpoint. One trace id is followed from the Open311 POST to the email.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from standardwebhooks.webhooks import Webhook

from hub_common.app import create_app
from hub_common.auth import Principal
from hub_common.contracts import events_topic
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_testkit.tokens import issue_token
from hub_volunteers.__main__ import DEFINITION as VOLUNTEERS
from hub_volunteers.service import commands as cmd
from hub_volunteers.service.volunteers import VolunteerService

pytestmark = pytest.mark.integration

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
REPORTED = "hub.issues.issue.reported.v1"


async def test_an_open311_report_emails_the_reporter_and_signs_one_webhook_following_one_trace(
    service_context, kafka, background, wait_until, smtp_server, http_receiver, unique
):
    issues = await service_context(ISSUES)
    await ISSUES.seed_demo_data(issues)  # hubs and categories a newcomer reports against
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port, webhook_allow_private=True)
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))

    endpoint = http_receiver().__enter__()
    partner = Principal(sub="riverside-housing", role="partner", hubs=("hub-northfield",))
    _, secret = await notifications.components.use_cases.webhooks.register(
        partner, {"url": endpoint.url, "event_types": [REPORTED]}
    )
    background(issues.relay().run)
    background(notifications.run_worker)

    api_key = issue_token(sub="council-app", role="partner", hubs=["hub-northfield"])
    address = f"resident-{unique}@example.org"
    app = create_app(ISSUES, issues.settings, context=issues)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            response = await client.post(
                "/open311/v2/requests.json",
                data={
                    "api_key": api_key,
                    "service_code": "litter",
                    "lat": "53.8150",
                    "long": "-1.5500",
                    "description": "Bags of rubbish dumped by the bus shelter",
                    "email": address,
                    "first_name": "Priya",
                },
                headers={"traceparent": TRACEPARENT},
            )
    assert response.status_code in (200, 201), response.text
    [created] = response.json()
    request_id = created["service_request_id"]

    [email] = await wait_until(lambda: _now(smtp_server.to(address)), timeout_s=60)
    assert request_id in email.get_content() and "Priya" in email.get_content()
    assert email["X-Hub-Trace-Id"] == TRACE_ID  # the trace of the Open311 POST, carried through Kafka

    def about_this_report() -> list:
        return [(h, b) for h, b in endpoint.requests if json.loads(b)["data"]["issue_id"] == request_id]

    [(headers, body)] = await wait_until(lambda: _now(about_this_report()), timeout_s=60)
    event = Webhook(secret).verify(body, headers)
    assert event["type"] == REPORTED and event["traceparent"].split("-")[1] == TRACE_ID
    assert address not in body.decode() and "Priya" not in body.decode()  # no personal data to partners

    # Kafka delivers the event again: still one email and one webhook.
    [published] = await kafka.collect(
        events_topic("issues"), lambda r: r.key == request_id.encode(), count=1, timeout_s=30
    )
    await kafka.produce(published.topic, published.value, key=published.key, headers=list(published.headers))
    await asyncio.sleep(3)  # time for the worker to read the duplicate (and do nothing with it)
    assert len(smtp_server.to(address)) == 1
    assert len(about_this_report()) == 1
    endpoint.__exit__(None, None, None)


async def _now(value):
    return value


async def _volunteers_and_notifications(service_context, kafka, background, smtp_server):
    """The volunteers service (with its relay) and a notifications worker that sends to the SMTP server."""
    volunteers = await service_context(VOLUNTEERS)
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port)
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    background(volunteers.relay().run)
    background(notifications.run_worker)
    return volunteers, notifications


async def _register(service: VolunteerService, account: Principal, name: str, address: str):
    return await service.register(
        account,
        cmd.RegisterVolunteer(
            name=name,
            email=address,
            hub_id="hub-northfield",
            date_of_birth=date(1985, 3, 3),
            consent=cmd.ConsentIn(data_processing=True, channels=cmd.ChannelConsent(email=True), wording_version="v1"),
            emergency_contact=cmd.EmergencyContactIn(name="Sam", phone="+44 7700 900001"),
        ),
    )


async def test_a_volunteer_really_receives_their_milestone(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    """Recognition recorded but never delivered is the failing we must not repeat: follow it to the inbox."""
    volunteers, notifications = await _volunteers_and_notifications(service_context, kafka, background, smtp_server)
    use_cases = volunteers.components.use_cases
    resident = Principal(sub=f"user-{unique}", role="resident")
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=("hub-northfield",))
    address = f"noor-{unique}@example.org"
    volunteer = await _register(use_cases.volunteers, resident, "Noor Example", address)
    for day in range(4):  # 12 approved hours cross the 10-hour milestone once
        logged = await use_cases.hours.log(
            resident, volunteer.id, cmd.LogHours(hours=3, worked_on=date.today() - timedelta(days=day))
        )
        await use_cases.hours.approve(staff, logged.id)

    thanks = await wait_until(
        lambda: _now([m for m in smtp_server.to(address) if "10 hours" in m["Subject"]]), timeout_s=60
    )
    assert len(thanks) == 1 and "Noor Example" in thanks[0].get_content()
    in_app = {"person_id": volunteer.id, "message_type": "milestone_reached", "channel": "inapp"}
    await wait_until(lambda: notifications.db["messages"].find_one({**in_app, "status": "delivered"}))


async def test_a_returning_volunteer_who_asks_for_a_link_gets_one_that_signs_in_as_them(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    """Volunteers API → outbox → hub.contacts → notifications → SMTP: the link's token opens their own record."""
    import re

    from hub_testkit.tokens import decode as decode_token

    volunteers, _ = await _volunteers_and_notifications(service_context, kafka, background, smtp_server)
    use_cases = volunteers.components.use_cases
    account = Principal(sub=f"web-{unique}", role="resident")
    address = f"rita-{unique}@example.org"
    volunteer = await _register(use_cases.volunteers, account, "Rita Example", address)
    app = create_app(VOLUNTEERS, volunteers.settings, context=volunteers)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            asked = await client.post("/v1/volunteers/sign-in-links", json={"email": address.upper()})
            assert asked.status_code == 202, asked.text

            [email] = await wait_until(
                lambda: _now([m for m in smtp_server.to(address) if m["Subject"] == "Your link to sign in"]),
                timeout_s=60,
            )
            link = re.search(r"/volunteer/me\?token=(\S+)", email.get_content())
            assert link, email.get_content()
            principal = decode_token(link.group(1))
            assert principal.sub == account.sub  # their account, not the person id the email was addressed to
            me = await client.get("/v1/volunteers/me", headers={"Authorization": f"Bearer {link.group(1)}"})
            assert me.status_code == 200 and me.json()["id"] == volunteer.id
