"""Published language between services and partners: every public event's pydantic contract.

Importing this package registers every contract, so a consumer can validate any type it reads.
"""

# Importing the modules registers their types.
from hub_common.contracts import (  # noqa: F401
    assets,
    contacts,
    identity,
    issues,
    notifications,
    participation,
    privacy,
    volunteers,
)
from hub_common.contracts.registry import (
    EventContract,
    EventData,
    UnknownEventType,
    all_contracts,
    contract_for,
    contract_of,
    event_contract,
    json_schemas,
)
from hub_common.contracts.topics import (
    CONTACTS_TOPIC,
    PRIVACY_TOPIC,
    all_topics,
    dlt_topic,
    events_topic,
    inbound_topic,
)

__all__ = [
    "CONTACTS_TOPIC",
    "PRIVACY_TOPIC",
    "EventContract",
    "EventData",
    "UnknownEventType",
    "all_contracts",
    "all_topics",
    "contract_for",
    "contract_of",
    "dlt_topic",
    "event_contract",
    "events_topic",
    "inbound_topic",
    "json_schemas",
]
