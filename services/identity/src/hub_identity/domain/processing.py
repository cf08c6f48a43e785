"""The identity service's record of processing (rendered by ``hub privacy ropa``). It holds no residents'
data: the people it knows are contacts at partner organisations, named by the operator who registered
the partner, and nobody's password (staff sign in at the council's identity provider)."""

from __future__ import annotations

from hub_common.ropa import Declaration, Processing
from hub_identity.domain.partners import PartnerContact

DECLARATION = Declaration(
    service="identity",
    processing=(
        Processing(
            "partner contacts",
            PartnerContact,
            ("name", "email"),
            purpose="reaching the people responsible for a partner's integration (credentials, incidents)",
            lawful_basis="legitimate interests (the partnership agreement)",
            retention="while the partner is registered; removed by an operator when a contact leaves",
            recipients="operators only; never published in events",
        ),
    ),
)
