"""Demo data for ``make run`` (HUB_DEMO_DATA=true): what a newcomer needs to see notifications work.

- a partner webhook: Riverside Housing Association hears about issues in Riverside, delivered to
  the demo partner receiver that ``make run`` starts (``scripts/demo_partner.py``);
- hub staff in both demo hubs get the new-report alerts, by email and in the app;
- the demo ward councillors (web accounts councillor-northfield, councillor-riverside) get their ward's alerts;
- one template edited by staff (the "fixed" email points at the hub's You Said, We Did page).

Written with fixed ids, so restarting the service (or several replicas starting) adds nothing twice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from hub_common import demo
from hub_common.auth import Principal
from hub_common.errors import PreconditionFailed
from hub_common.service import ServiceContext
from hub_notifications.domain.templates import Template
from hub_notifications.domain.webhooks import SigningSecret, Subscription
from hub_notifications.service.webhooks import WebhookService
from hub_notifications.settings import NotificationsSettings

DEMO_PARTNER = "partner-riverside-housing"
DEMO_SUBSCRIPTION_ID = "demo-riverside-housing"
DEMO_STAFF = {
    "hub-northfield": ("staff-northfield", "Nadia Khan", "nadia.khan@northfield-hub.localhost"),
    "hub-riverside": ("staff-riverside", "Tom Price", "tom.price@riverside-hub.localhost"),
}
FIXED_EMAIL = Template(
    message_type="issue_fixed",
    channel="email",
    language="en",
    subject="Fixed: {service_name}",
    body=(
        "Good news: the problem you reported or supported ({service_name}, reference {issue_id}) has been "
        "fixed.\n\n{public_note}\n\nIf it is not fixed, you can reopen it. You can see everything your hub has "
        "done about what residents told us on its You Said, We Did page."
    ),
)


def demo_councillors() -> dict[str, tuple[str, str, str]]:
    """Each demo hub's councillor as the web app signs them in (``staff-<username>``), with a demo address."""
    return {
        hub_id: (
            f"staff-{username}",
            name,
            f"{name.lower().replace(' ', '.')}@{hub_id.removeprefix('hub-')}-hub.localhost",
        )
        for hub_id, (username, name) in demo.DEMO_COUNCILLORS.items()
    }


def demo_webhook_secret() -> str:
    """The demo subscription's signing secret: fixed and known (demo data is for development only),
    so the demo receiver can verify signatures without being told a random one."""
    digest = hashlib.sha256(b"community hub demo partner webhook").digest()
    return "whsec_" + base64.b64encode(digest).decode()


async def seed_demo_data(ctx: ServiceContext[NotificationsSettings]) -> None:
    settings, use_cases = ctx.settings, ctx.components.use_cases
    await _partner_webhook(use_cases.webhooks, settings, ctx.clock())
    for hub in demo.HUBS:
        person_id, name, email = DEMO_STAFF[hub["id"]]
        staff = Principal(sub=person_id, role="staff", hubs=(hub["id"],))
        await use_cases.rules.join_staff_alerts(staff, hub["id"], name, email)
    for hub_id, (person_id, name, email) in demo_councillors().items():
        councillor = Principal(sub=person_id, role="councillor", hubs=(hub_id,))
        await use_cases.rules.join_councillor_alerts(councillor, hub_id, name, email)
    fixed = FIXED_EMAIL
    if (await use_cases.templates.get(fixed.message_type, fixed.channel, fixed.language)).is_default:
        # Saved only over no edit at all (version 0): replicas starting together on a fresh database
        # race to seed it, and the loser's save is refused because the winner saved this same text.
        with contextlib.suppress(PreconditionFailed):
            await use_cases.templates.save(fixed, expected_version=0)


async def _partner_webhook(webhooks: WebhookService, settings: NotificationsSettings, now: datetime) -> None:
    if await webhooks.subscriptions.find(DEMO_SUBSCRIPTION_ID) is not None:
        return
    secret = demo_webhook_secret()
    subscription = Subscription(
        id=DEMO_SUBSCRIPTION_ID,
        partner=DEMO_PARTNER,
        url=settings.demo_webhook_url,
        description="Riverside Housing Association: issues reported in Riverside",
        event_types=("hub.issues.issue.reported.v1", "hub.issues.issue.fixed.v1"),
        hub_ids=("hub-riverside",),
        secrets=(SigningSecret(secret=secret, created_at=now),),
        created_at=now,
    )
    with contextlib.suppress(DuplicateKeyError):  # another replica seeded it first
        await webhooks.subscriptions.add(subscription)
