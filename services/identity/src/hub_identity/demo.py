"""Demo data for ``make run`` (``HUB_DEMO_DATA``): the first signing key, and a demo partner whose
client secret is known (``dev-demo-partner-secret``), granted both demo hubs, the issues service's
public events and its inbound report type, so the README's partner walk-through works as written.

Idempotent: a partner already registered is left as it is.
"""

from __future__ import annotations

import contextlib

from hub_common.auth import Principal
from hub_common.demo import HUBS
from hub_common.errors import Conflict
from hub_common.service import ServiceContext
from hub_identity.domain.partners import Grants, PartnerContact
from hub_identity.service import UseCases

DEMO_PARTNER = "demo-partner"
DEMO_PARTNER_SECRET = "dev-demo-partner-secret"  # noqa: S105  (development demo data only)
DEMO_OPERATOR = Principal(sub="demo-data", role="operator")


async def seed_demo_data(ctx: ServiceContext) -> None:
    use_cases: UseCases = ctx.components.use_cases
    await use_cases.keys.ensure_key()
    grants = Grants(
        hubs=[h["id"] for h in HUBS[:2]],
        consumes=["hub.issues.issue.reported.v1", "hub.issues.issue.fixed.v1", "hub.issues.issue.closed.v1"],
        publishes=["hub.issues.report.submitted.v1"],
    )
    with contextlib.suppress(Conflict):  # registered on an earlier start
        await use_cases.partners.add(
            DEMO_OPERATOR,
            DEMO_PARTNER,
            "Northfield & Riverside Housing (demo)",
            [PartnerContact(name="Integration desk", email="integrations@housing.example")],
            grants,
            secret=DEMO_PARTNER_SECRET,
        )
