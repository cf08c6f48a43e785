"""A ward councillor on the real broker: a councillor who asked for their hub's alerts is emailed when
a resident proposes an idea there, comments on it in public as a councillor, and the idea's proposer
(following it) hears the comment by email."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_common.app import create_app
from hub_common.auth import Principal
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_participation.__main__ import DEFINITION as PARTICIPATION
from hub_testkit.tokens import issue_token

pytestmark = pytest.mark.integration

HUB = "hub-northfield"
TITLE = "A crossing by the school gates"


async def test_a_councillor_is_alerted_of_a_new_idea_and_their_comment_reaches_its_proposer(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    participation = await service_context(PARTICIPATION)
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port)
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    councillor = Principal(sub=f"cllr-{unique}", role="councillor", hubs=(HUB,))
    councillor_email = f"cllr-{unique}@council.example"
    await notifications.components.use_cases.rules.join_councillor_alerts(
        councillor, HUB, "Cathy Moss", councillor_email
    )
    background(participation.relay().run)
    background(notifications.run_worker)

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
        opened = await client.put(f"/v1/hubs/{HUB}/idea-settings", json={}, headers=as_("staff", f"staff-{unique}"))
        assert opened.status_code == 200, opened.text
        proposed = await client.post(
            "/v1/ideas",
            json={
                "hub_id": HUB,
                "title": TITLE,
                "description": "Children cross a busy road to reach the school every morning.",
                "display_name": "Jo",
                "contact": {"name": "Jo", "email": proposer_email},
            },
            headers=as_("resident", f"res-jo-{unique}"),
        )
        assert proposed.status_code == 201, proposed.text
        idea_id = proposed.json()["idea"]["id"]

        [alert] = await wait_until(lambda: _mail(smtp_server, councillor_email), timeout_s=60)
        assert alert["Subject"] == f"A new idea in your ward: {TITLE}"
        assert f"/ideas/{idea_id}" in alert.get_content()

        said = "I back this and will raise it with the highways team."
        commented = await client.post(
            f"/v1/ideas/{idea_id}/councillor-comments",
            json={"comment": said, "display_name": "Cathy Moss"},
            headers={**as_("councillor", councillor.sub), "Idempotency-Key": f"comment-{unique}"},
        )
        assert commented.status_code == 201, commented.text
        assert commented.json()["status"] == "open"

    [email] = await wait_until(lambda: _mail(smtp_server, proposer_email, "A councillor has commented"), timeout_s=60)
    assert "Councillor Cathy Moss has commented" in email.get_content() and said in email.get_content()
    assert "Hello Jo" in email.get_content()
    assert len(await _mail(smtp_server, councillor_email)) == 1  # the new idea, once


async def _mail(smtp_server, address: str, subject_has: str = "") -> list:
    """The emails to ``address`` so far (whose subject says ``subject_has``)."""
    return [m for m in smtp_server.to(address) if subject_has in m["Subject"]]
