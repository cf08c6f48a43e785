"""Topic names of the contract."""

SERVICES = ("volunteers", "issues", "assets", "notifications", "participation", "identity")
CONTACTS_TOPIC = "hub.contacts"
# Requests about one person's data (erasure, subject access) and each service's answer: read by every
# service and by no partner. An access answer carries the person's data, so the topic is compacted
# like hub.contacts and the owner supersedes each answer once it has stored it.
PRIVACY_TOPIC = "hub.privacy"
RESTRICTED_TOPICS = (CONTACTS_TOPIC, PRIVACY_TOPIC)


def events_topic(service: str) -> str:
    return f"hub.{service}.events"


def inbound_topic(service: str) -> str:
    return f"hub.{service}.inbound"


def dlt_topic(service: str) -> str:
    return f"hub.{service}.dlt"


def all_topics() -> list[str]:
    topics = list(RESTRICTED_TOPICS)
    for service in SERVICES:
        topics += [events_topic(service), inbound_topic(service), dlt_topic(service)]
    return topics


WEEK_MS = 7 * 24 * 3600 * 1000


def topic_configs(*, contacts_min_compaction_lag_s: float = 600, contacts_max_compaction_lag_s: float = 900) -> dict:
    """Settings the contract gives its topics (the broker's defaults for the rest).

    ``hub.contacts`` is compacted by key, the person's id: a person's ``contact.erased`` event is the
    last one for their key, so once the topic is compacted no earlier event with their name, email or
    phone remains in it. A consumer up to the minimum lag behind still reads every event; the
    maximum lag bounds how long a superseded value stays (Kafka rolls the segment holding it then,
    on the next event written, and cleans it on its next pass). The week's retention stays as well
    (``compact,delete``), so a quiet topic holds nothing for longer than it did before.
    """
    compacted = {
        "cleanup.policy": "compact,delete",
        "retention.ms": str(WEEK_MS),
        "min.compaction.lag.ms": str(int(contacts_min_compaction_lag_s * 1000)),
        "max.compaction.lag.ms": str(int(contacts_max_compaction_lag_s * 1000)),
    }
    # hub.privacy the same way: an access answer's export is superseded by its "collected" record.
    return {topic: dict(compacted) for topic in RESTRICTED_TOPICS}
