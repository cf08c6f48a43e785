"""AsyncAPI 3.0 document of what a service publishes and consumes, built from the contract registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub_common.contracts import all_contracts, contract_for

if TYPE_CHECKING:
    from hub_common.service import ServiceDefinition
    from hub_common.settings import HubSettings

CE_HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "content-type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid"},
        "ce_source": {"type": "string", "pattern": "^/hub/[a-z]+$"},
        "ce_type": {"type": "string"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "aggregate id (also the Kafka key)"},
        "ce_partitionkey": {"type": "string"},
        "ce_traceparent": {"type": "string", "description": "W3C traceparent"},
        "ce_hubid": {"type": "string"},
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def asyncapi_document(definition: ServiceDefinition, settings: HubSettings) -> dict[str, Any]:
    published = [contract_for(t) for t in definition.publishes]
    consumed_topics = set(definition.consumes)
    consumed = [c for c in all_contracts() if c.topic in consumed_topics and c.producer != definition.name]
    inbound = [c for c in all_contracts() if c.topic in consumed_topics and c.producer == definition.name]
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in {c.type: c for c in [*published, *consumed, *inbound]}.values():
        messages[_message_name(contract.type)] = {
            "name": contract.type,
            "title": contract.model.__name__,
            "summary": contract.description,
            "contentType": "application/json",
            "headers": CE_HEADERS_SCHEMA,
            "payload": contract.json_schema(),
            "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
        }
    for action, contracts in (("send", published), ("receive", [*consumed, *inbound])):
        by_topic: dict[str, list[str]] = {}
        for contract in contracts:
            by_topic.setdefault(contract.topic, []).append(_message_name(contract.type))
        for topic, names in by_topic.items():
            channel_id = topic.replace(".", "_")
            channel = channels.setdefault(channel_id, {"address": topic, "messages": {}})
            channel["messages"].update({n: {"$ref": f"#/components/messages/{n}"} for n in names})
            operations[f"{action}_{channel_id}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": [{"$ref": f"#/channels/{channel_id}/messages/{n}"} for n in names],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"{definition.title} events",
            "version": definition.version,
            "description": "CloudEvents 1.0 in Kafka binary content mode; the key is the aggregate id.",
        },
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": settings.kafka_bootstrap_servers, "protocol": "kafka"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
