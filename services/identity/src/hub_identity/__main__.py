"""What the identity service is, and the role switch: ``python -m hub_identity --role api|worker|all``."""

from hub_common.contracts import all_contracts, inbound_topic
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_identity.adapters import INDEXES
from hub_identity.api import keys, partners, token, wellknown
from hub_identity.bootstrap import bootstrap
from hub_identity.demo import seed_demo_data
from hub_identity.domain.processing import DECLARATION
from hub_identity.settings import IdentitySettings

# Every type this service publishes: the partner registry's changes.
PUBLISHES = tuple(c.type for c in all_contracts() if c.producer == "identity" and c.topic != inbound_topic("identity"))

DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="identity",
    title="Community Hub — identity",
    description=(
        "The platform's one token issuer (ES256, JWKS, OAuth 2.0 token endpoint) and the registry of "
        "partner organisations and what each is granted."
    ),
    settings_class=IdentitySettings,
    routers=(wellknown.router, token.router, keys.router, partners.router),
    consumes=(),  # it reads no other service's events
    publishes=PUBLISHES,
    indexes=INDEXES,
    seed_demo_data=seed_demo_data,
    processing=DECLARATION,
)

if __name__ == "__main__":
    main(DEFINITION)
