"""What ``hub partners sync-kafka`` decides, without a broker (the broker side is tested in
tests/integration/test_partner_kafka_access.py): the ACLs a partner's grants give, and the changes
that make a broker's partner users and ACLs match the registry."""

from __future__ import annotations

import pytest

from hub_cli.kafka_access import BrokerState, Permission, SyncRefused, plan, wanted

READS_ISSUES = "hub.issues.issue.reported.v1"
PUBLISHES_REPORTS = "hub.issues.report.submitted.v1"


def partner(pid: str, status: str = "active", consumes=(READS_ISSUES,), publishes=(PUBLISHES_REPORTS,)) -> dict:
    return {"id": pid, "status": status, "consumes": list(consumes), "publishes": list(publishes)}


def test_grants_give_read_on_event_topics_write_on_inbound_topics_and_its_own_groups() -> None:
    assert wanted("river", [READS_ISSUES, "hub.issues.issue.fixed.v1"], [PUBLISHES_REPORTS]) == {
        Permission("topic", "hub.issues.events", "Read"),
        Permission("topic", "hub.issues.events", "Describe"),
        Permission("topic", "hub.issues.inbound", "Write"),
        Permission("topic", "hub.issues.inbound", "Describe"),
        Permission("group", "partner-river-", "Read", pattern="prefixed"),
    }


def test_a_library_sending_ballots_and_forum_registrations_writes_only_participations_inbound_topic() -> None:
    sends = ["hub.participation.pb_ballot.submitted.v1", "hub.participation.registration.submitted.v1"]
    assert wanted("library", [], sends) == {
        Permission("topic", "hub.participation.inbound", "Write"),
        Permission("topic", "hub.participation.inbound", "Describe"),
        Permission("group", "partner-library-", "Read", pattern="prefixed"),
    }


@pytest.mark.parametrize(
    ("consumes", "publishes", "says"),
    [
        (["hub.volunteers.contact.upserted.v1"], [], "hub.contacts: never a partner's"),
        ([PUBLISHES_REPORTS], [], "hub.issues.inbound: never a partner's"),
        ([], [READS_ISSUES], "not inbound"),
        (["hub.issues.nothing_like_it.v1"], [], "does not know"),
    ],
)
def test_a_grant_no_partner_may_hold_stops_the_sync(consumes, publishes, says) -> None:
    with pytest.raises(SyncRefused, match=says):
        plan([partner("river", consumes=consumes, publishes=publishes)], BrokerState(set(), {}))


def test_a_new_partner_gets_a_user_a_password_and_its_acls_and_a_second_plan_changes_nothing() -> None:
    registry = [partner("river")]
    (change,) = plan(registry, BrokerState(set(), {}))
    assert change.create_user and change.password and len(change.password) >= 40
    assert set(change.add) == wanted("river", [READS_ISSUES], [PUBLISHES_REPORTS]) and not change.remove

    applied = BrokerState({"partner-river"}, {"partner-river": set(change.add)})
    (again,) = plan(registry, applied)
    assert not again.changes_anything and again.password is None


def test_acls_outside_the_grants_are_removed_whatever_they_are() -> None:
    extra = {
        Permission("topic", "hub.contacts", "Read"),
        Permission("topic", "hub.issues.events", "Read", permission="deny"),
        Permission("topic", "*", "Describe"),
        Permission("cluster", "kafka-cluster", "IdempotentWrite"),
    }
    have = wanted("river", [READS_ISSUES], []) | extra
    (change,) = plan([partner("river", publishes=())], BrokerState({"partner-river"}, {"partner-river": have}))
    assert set(change.remove) == extra and not change.add and not change.create_user and change.password is None


def test_a_revoked_partner_and_one_the_registry_does_not_know_lose_their_acls_and_user() -> None:
    broker = BrokerState(
        {"partner-river", "partner-stray", "svc-issues"},
        {
            "partner-river": wanted("river", [READS_ISSUES], []),
            "partner-stray": {Permission("topic", "hub.assets.events", "Read")},
        },
    )
    changes = {c.partner_id: c for c in plan([partner("river", status="revoked", consumes=(), publishes=())], broker)}
    assert set(changes) == {"river", "stray"}  # the services' users are not the sync's
    assert changes["river"].delete_user and set(changes["river"].remove) == wanted("river", [READS_ISSUES], [])
    assert changes["stray"].reason == "not in the registry" and changes["stray"].delete_user
    assert all(c.password is None and not c.add for c in changes.values())


def test_rotate_gives_an_existing_user_a_new_password_and_refuses_a_partner_it_cannot() -> None:
    have = wanted("river", [READS_ISSUES], [PUBLISHES_REPORTS])
    broker = BrokerState({"partner-river"}, {"partner-river": have})
    (change,) = plan([partner("river")], broker, rotate=["river"])
    assert change.rotate_password and change.password and not change.create_user and not change.add
    with pytest.raises(SyncRefused, match="no active partner: gone"):
        plan([partner("river"), partner("gone", status="revoked")], broker, rotate=["gone"])
