"""An idea from proposal to the proposer's email, on the real broker: a resident proposes an idea
with an email address for updates, ten residents support it, the hub's staff are alerted and answer,
and the proposer hears both that it reached its threshold and what the hub decided, over real SMTP;
when the hub finishes the idea's action, the issues service's "You Said, We Did" shows it."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_common.app import create_app
from hub_common.auth import Principal
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_participation.__main__ import DEFINITION as PARTICIPATION
from hub_testkit.tokens import issue_token

pytestmark = pytest.mark.integration

HUB = "hub-northfield"


async def test_ten_supports_alert_staff_and_the_answer_reaches_the_proposer_by_email(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    participation = await service_context(PARTICIPATION)
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port)
    issues = await service_context(ISSUES)
    for ctx in (notifications, issues):
        await kafka.skip_history(ctx.settings.consumer_group, list(ctx.definition.consumes))
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(HUB,))
    staff_email = f"staff-{unique}@council.example"
    await notifications.components.use_cases.rules.join_staff_alerts(staff, HUB, "Nadia", staff_email)
    background(participation.relay().run)
    background(notifications.run_worker)
    background(issues.run_worker)

    def as_(role: str, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(sub=sub, role=role, hubs=[HUB])}"}

    proposer_email = f"jo-{unique}@example.org"
    app = create_app(PARTICIPATION, participation.settings, context=participation)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://participation.test"
        ) as client,
    ):
        opened = await client.put(f"/v1/hubs/{HUB}/idea-settings", json={}, headers=as_("staff", staff.sub))
        assert opened.status_code == 200, opened.text
        proposed = await client.post(
            "/v1/ideas",
            json={
                "hub_id": HUB,
                "title": "Plant fruit trees on Green Lane",
                "description": "Apple trees along the verge, looked after by neighbours.",
                "display_name": "Jo",
                "contact": {"name": "Jo", "email": proposer_email},
            },
            headers=as_("resident", f"res-jo-{unique}"),
        )
        assert proposed.status_code == 201, proposed.text
        idea_id = proposed.json()["idea"]["id"]
        supports = await asyncio.gather(
            *(
                client.post(f"/v1/ideas/{idea_id}/supports", json={}, headers=as_("resident", f"res-{n}-{unique}"))
                for n in range(10)
            )
        )
        assert [s.json()["counted"] for s in supports] == [True] * 10
        assert (await client.get(f"/v1/ideas/{idea_id}")).json()["status"] == "for_response"

        [alert] = await wait_until(lambda: _mail(smtp_server, staff_email), timeout_s=60)
        assert alert["Subject"] == "An idea is waiting for your answer: Plant fruit trees on Green Lane"
        [reached] = await wait_until(lambda: _mail(smtp_server, proposer_email), timeout_s=60)
        assert "10 supporters" in reached.get_content() and reached["Subject"].startswith("Your idea has")

        answer = "Yes: the parks team will plant six trees this winter with the residents' group."
        responded = await client.post(
            f"/v1/ideas/{idea_id}/response",
            json={"outcome": "accepted", "response": answer},
            headers=as_("staff", staff.sub),
        )
        assert responded.status_code == 200, responded.text

        [email] = await wait_until(lambda: _mail(smtp_server, proposer_email, "has answered"), timeout_s=60)
        assert answer in email.get_content() and "Hello Jo" in email.get_content()

        for note, done in [("The trees are ordered.", False), ("Six apple trees planted on Green Lane.", True)]:
            progress = await client.post(
                f"/v1/ideas/{idea_id}/progress", json={"note": note, "done": done}, headers=as_("staff", staff.sub)
            )
            assert progress.status_code == 200, progress.text

    issues_app = create_app(ISSUES, issues.settings, context=issues)
    async with (
        LifespanManager(issues_app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://issues.test") as client,
    ):

        async def shown() -> list | None:
            page = (await client.get(f"/v1/hubs/{HUB}/you-said-we-did/ideas")).json()["items"]
            return [i for i in page if i["id"] == idea_id] or None

        [done] = await wait_until(shown, timeout_s=60)  # the finished action only, not the step before
        assert done == {
            "id": idea_id,
            "you_said": "Plant fruit trees on Green Lane",
            "support_count": 10,
            "we_did": "Six apple trees planted on Green Lane.",
            "done_at": done["done_at"],
        }

    # The proposer follows their idea: both progress notes reach them too.
    async def both_progress_notes() -> bool:
        return len(_mail_now(smtp_server, proposer_email, "Progress on")) == 2

    await wait_until(both_progress_notes, timeout_s=60)
    assert len(smtp_server.to(proposer_email)) == 4  # the threshold, the answer, two progress notes: each once


def _mail_now(smtp_server, address: str, subject_has: str = "") -> list:
    """The emails to ``address`` so far (whose subject says ``subject_has``)."""
    return [m for m in smtp_server.to(address) if subject_has in m["Subject"]]


async def _mail(smtp_server, address: str, subject_has: str = "") -> list:
    return _mail_now(smtp_server, address, subject_has)
