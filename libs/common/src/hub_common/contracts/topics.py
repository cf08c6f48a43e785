"""Topic names of the contract."""

SERVICES = ("volunteers", "issues", "assets", "notifications")
CONTACTS_TOPIC = "hub.contacts"


def events_topic(service: str) -> str:
    return f"hub.{service}.events"


def inbound_topic(service: str) -> str:
    return f"hub.{service}.inbound"


def dlt_topic(service: str) -> str:
    return f"hub.{service}.dlt"


def all_topics() -> list[str]:
    topics = [CONTACTS_TOPIC]
    for service in SERVICES:
        topics += [events_topic(service), inbound_topic(service), dlt_topic(service)]
    return topics
