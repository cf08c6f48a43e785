"""Partners' Kafka access made to match the registry: SCRAM users and ACLs (``hub partners sync-kafka``).

Each active partner gets the SCRAM-SHA-512 user ``partner-<id>`` and exactly these ACLs (allow, any
host): Read and Describe on the topic of each event type it may consume, Write and Describe on the
inbound topic of each type it may publish, Read on the consumer groups named ``partner-<id>-…``
(prefixed). Any other ACL of a ``partner-…`` principal is removed, and a revoked partner (or a
``partner-…`` user the registry does not know) loses its ACLs and its SCRAM user. The sync owns the
``partner-`` principals and nothing else: the services' ``svc-…`` users are never touched.

The broker is driven with kafka-python's ``KafkaAdminClient``. aiokafka, which the services use, has
no admin call for ACLs or SCRAM credentials (0.14: topics, configs and groups only). Kafka's own
tools (``AclCommand``, ``ConfigCommand``) would need Java and the broker's jars wherever an operator
runs ``hub``, start a JVM per call and print text to parse back for the diff. kafka-python is pure
Python, maintained, and has describe/create/delete ACLs and describe/alter SCRAM credentials
(KIP-554, so no ZooKeeper and no broker restart); it computes the salted password on this side, so
the broker receives and stores only SCRAM's derived keys, never the password.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    KafkaAdminClient,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)
from kafka.errors import SecurityDisabledError

from hub_common.contracts import UnknownEventType, contract_for
from hub_common.contracts.topics import RESTRICTED_TOPICS, inbound_topic
from hub_common.kafka import KafkaConnection

PRINCIPAL_PREFIX = "partner-"
MECHANISM = ScramMechanism.SCRAM_SHA_512
# 4096 is Kafka's minimum for SCRAM-SHA-512 and what its own tools use; the password is 32 random
# bytes, so the iteration count is not what protects it.
ITERATIONS = 4096

# kafka-python logs its requests at DEBUG, and a SCRAM upsertion carries the salted password, which
# is as good as the password for logging in: keep its loggers above DEBUG whatever the root level.
logging.getLogger("kafka").setLevel(logging.INFO)


class SyncRefused(Exception):
    """The registry and the contract disagree, or the broker refused a change: nothing more is done."""


@dataclass(frozen=True, order=True)
class Permission:
    """One ACL of a partner's principal, in words (what the summary prints and the diff compares)."""

    resource: str  # "topic" | "group"
    name: str
    operation: str  # "Read" | "Write" | "Describe" (or whatever else the broker holds)
    pattern: str = "literal"  # "literal" | "prefixed"
    permission: str = "allow"
    host: str = "*"

    def __str__(self) -> str:
        text = f"{self.operation} {self.resource} {self.name}{'*' if self.pattern == 'prefixed' else ''}"
        plain = (self.permission, self.host) == ("allow", "*")
        return text if plain else f"{text} ({self.permission}, host {self.host})"


def principal(partner_id: str) -> str:
    return f"{PRINCIPAL_PREFIX}{partner_id}"


def wanted(partner_id: str, consumes: Iterable[str], publishes: Iterable[str]) -> set[Permission]:
    """The ACLs a partner's grants give it. The registry already refuses a grant outside what a partner
    may have; the topic checks are repeated here because an ACL is where a mistake would leak data."""
    permissions: set[Permission] = set()
    for event_type in consumes:
        topic = _topic(partner_id, event_type)
        if topic in RESTRICTED_TOPICS or topic == inbound_topic(contract_for(event_type).producer):
            raise SyncRefused(f"partner {partner_id} is granted to read {event_type}, on {topic}: never a partner's")
        permissions |= {Permission("topic", topic, "Read"), Permission("topic", topic, "Describe")}
    for event_type in publishes:
        topic = _topic(partner_id, event_type)
        if topic != inbound_topic(contract_for(event_type).producer):
            raise SyncRefused(f"partner {partner_id} is granted to publish {event_type}, on {topic}: not inbound")
        permissions |= {Permission("topic", topic, "Write"), Permission("topic", topic, "Describe")}
    # The partner names its own consumer groups, within its prefix. Partner ids may contain dashes, so
    # `partner-river-` also matches `partner-river-side-…`: partner `river` could join or commit for
    # `river-side`'s groups (offsets only: reading still needs that topic's Read).
    permissions.add(Permission("group", f"{principal(partner_id)}-", "Read", pattern="prefixed"))
    return permissions


def _topic(partner_id: str, event_type: str) -> str:
    try:
        return contract_for(event_type).topic
    except UnknownEventType:
        raise SyncRefused(
            f"partner {partner_id} is granted {event_type}, which this version of the contract does not know"
        ) from None


@dataclass
class PartnerChange:
    """What a sync does (or, dry, would do) for one ``partner-…`` user."""

    partner_id: str
    reason: str  # "active", "revoked", "not in the registry"
    create_user: bool = False
    rotate_password: bool = False
    delete_user: bool = False
    add: list[Permission] = field(default_factory=list)
    remove: list[Permission] = field(default_factory=list)
    password: str | None = None  # set when the user is created or rotated: shown once, never stored
    password_stored: bool = False  # the broker has it: it must be shown, even if a later step fails

    @property
    def user(self) -> str:
        return principal(self.partner_id)

    @property
    def changes_anything(self) -> bool:
        return bool(self.create_user or self.rotate_password or self.delete_user or self.add or self.remove)


@dataclass
class BrokerState:
    """The broker's ``partner-…`` principals: who has a SCRAM-SHA-512 credential, and every ACL each has."""

    users: set[str]
    permissions: dict[str, set[Permission]]


def plan(registry: Iterable[Mapping[str, Any]], broker: BrokerState, rotate: Iterable[str] = ()) -> list[PartnerChange]:
    """The changes that make ``broker`` match ``registry`` (the identity API's partner records).

    Pure: nothing is asked of the broker here, so the rules are tested without one.
    """
    rotate = set(rotate)
    partners = {p["id"]: p for p in registry}
    unknown = sorted(rotate - {pid for pid, p in partners.items() if p["status"] == "active"})
    if unknown:
        raise SyncRefused(f"--rotate names no active partner: {', '.join(unknown)}")
    changes: list[PartnerChange] = []
    known_users = {principal(pid) for pid in partners}
    # Only `partner-…` principals are the sync's: a service's `svc-…` user is never an orphan.
    on_broker = {u for u in broker.users | set(broker.permissions) if u.startswith(PRINCIPAL_PREFIX)}
    orphans = on_broker - known_users
    for user in sorted(orphans):
        pid = user.removeprefix(PRINCIPAL_PREFIX)
        changes.append(_towards(pid, "not in the registry", set(), broker, keep_user=False))
    for pid, partner in sorted(partners.items()):
        if partner["status"] == "active":
            change = _towards(pid, "active", wanted(pid, partner["consumes"], partner["publishes"]), broker)
            if change.user in broker.users and pid in rotate:
                change.rotate_password = True
            if change.create_user or change.rotate_password:
                change.password = secrets.token_urlsafe(32)
        else:
            change = _towards(pid, partner["status"], set(), broker, keep_user=False)
        changes.append(change)
    return changes


def _towards(pid: str, reason: str, want: set[Permission], broker: BrokerState, *, keep_user: bool = True):
    user = principal(pid)
    have = broker.permissions.get(user, set())
    return PartnerChange(
        pid,
        reason,
        create_user=keep_user and user not in broker.users,
        delete_user=not keep_user and user in broker.users,
        add=sorted(want - have),
        remove=sorted(have - want),
    )


# -- the broker -----------------------------------------------------------------------------------

_RESOURCES = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP}
_PATTERNS = {"literal": ACLResourcePatternType.LITERAL, "prefixed": ACLResourcePatternType.PREFIXED}
_PERMISSIONS = {"allow": ACLPermissionType.ALLOW, "deny": ACLPermissionType.DENY}


def _operation_name(operation: ACLOperation) -> str:
    return "".join(word.capitalize() for word in operation.name.split("_"))  # IDEMPOTENT_WRITE: IdempotentWrite


def _operation(name: str) -> ACLOperation:
    return next(op for op in ACLOperation if _operation_name(op) == name)


class PartnerAccessBroker:
    """The admin calls a sync makes, as the broker's super user (HUB_KAFKA_* settings or ``--kafka``)."""

    def __init__(self, kafka: KafkaConnection, *, timeout_s: float = 30) -> None:
        options: dict[str, Any] = {
            "bootstrap_servers": kafka.bootstrap_servers,
            "security_protocol": kafka.security_protocol,
            "request_timeout_ms": int(timeout_s * 1000),
            "client_id": "hub-partners-sync-kafka",
        }
        if kafka.sasl_mechanism:
            options |= {
                "sasl_mechanism": kafka.sasl_mechanism,
                "sasl_plain_username": kafka.username,
                "sasl_plain_password": kafka.password,
            }
        self.admin = KafkaAdminClient(**options)

    def close(self) -> None:
        self.admin.close()

    def state(self) -> BrokerState:
        try:
            return self._state()
        except SecurityDisabledError:
            raise SyncRefused(self._no_authorizer) from None

    _no_authorizer = "the broker has no authorizer, so ACLs mean nothing there (is this the SASL broker?)"

    def _state(self) -> BrokerState:
        described = self.admin.describe_user_scram_credentials()
        users = {
            name
            for name, info in described.items()
            if name.startswith(PRINCIPAL_PREFIX)
            and any(c["mechanism"] == MECHANISM for c in info.get("credential_infos", []))
        }
        everything = ACLFilter(
            principal=None,
            host=None,
            operation=ACLOperation.ANY,
            permission_type=ACLPermissionType.ANY,
            resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
        )
        acls, error = self.admin.describe_acls(everything)
        if error is SecurityDisabledError:  # kafka-python hands the error class back rather than raising it
            raise SyncRefused(self._no_authorizer)
        if error.errno:
            raise SyncRefused(f"the broker would not list its ACLs: {error.__name__}")
        permissions: dict[str, set[Permission]] = {}
        for acl in acls:
            kind, _, name = acl.principal.partition(":")
            if kind == "User" and name.startswith(PRINCIPAL_PREFIX):
                permissions.setdefault(name, set()).add(_permission(acl))
        return BrokerState(users, permissions)

    def apply(self, change: PartnerChange) -> None:
        """Revocations first, then grants: a partner never holds more than either side of the change."""
        if change.remove:
            results = self.admin.delete_acls([_acl(change.user, p, filter_only=True) for p in change.remove])
            failed = [f"{error.__name__}" for _filter, _matched, error in results if error.errno]
            if failed:
                raise SyncRefused(f"the broker refused to remove ACLs of {change.user}: {', '.join(failed)}")
        if change.delete_user:
            self._alter(change.user, UserScramCredentialDeletion(change.user, MECHANISM))
        if change.password:
            upsertion = UserScramCredentialUpsertion(change.user, MECHANISM, change.password, iterations=ITERATIONS)
            self._alter(change.user, upsertion)
            change.password_stored = True
        if change.add:
            created = self.admin.create_acls([_acl(change.user, p) for p in change.add])
            if created["failed"]:
                names = ", ".join(sorted({error.__name__ for error in created["failed"]}))
                raise SyncRefused(f"the broker refused ACLs for {change.user}: {names}")

    def _alter(self, user: str, alteration: Any) -> None:
        errors = self.admin.alter_user_scram_credentials([alteration])
        if errors.get(user):
            raise SyncRefused(f"the broker refused the SCRAM credential change of {user}: {errors[user]}")


def _permission(acl: ACL) -> Permission:
    pattern = acl.resource_pattern
    return Permission(
        resource=pattern.resource_type.name.lower(),
        name=pattern.resource_name,
        operation=_operation_name(acl.operation),
        pattern=pattern.pattern_type.name.lower(),
        permission=acl.permission_type.name.lower(),
        host=acl.host,
    )


def _acl(user: str, p: Permission, *, filter_only: bool = False) -> ACL | ACLFilter:
    resource = (ResourcePatternFilter if filter_only else ResourcePattern)(
        _RESOURCES.get(p.resource, ResourceType[p.resource.upper()]),
        p.name,
        _PATTERNS.get(p.pattern, ACLResourcePatternType[p.pattern.upper()]),
    )
    kind = ACLFilter if filter_only else ACL
    return kind(
        principal=f"User:{user}",
        host=p.host,
        operation=_operation(p.operation),
        permission_type=_PERMISSIONS.get(p.permission, ACLPermissionType[p.permission.upper()]),
        resource_pattern=resource,
    )
