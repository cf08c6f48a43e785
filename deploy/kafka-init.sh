#!/usr/bin/env bash
# Runs once per `docker compose up` (idempotent) in the Kafka broker's network namespace:
# creates the contract's topics, a SCRAM user per service and per partner, and their ACLs.
#
#   - each service writes its own hub.<service>.events and hub.<service>.dlt, reads the topics it
#     consumes, and commits offsets for its group hub-<service>;
#   - only notifications reads hub.contacts; volunteers, issues, assets and participation write to it;
#   - every service but identity reads and writes hub.privacy (requests and their answers), no partner;
#   - participation also writes hub.assets.inbound: a forum meeting's room booking request (the assets
#     service takes that type only from /hub/participation; partners' inbound ACLs come from the registry);
#   - `admin` (KAFKA_ADMIN_PASSWORD) is the super user `hub partners sync-kafka` signs in as.
#
# Partners are not made here: their users and ACLs come from the partner registry, through
# `hub partners sync-kafka` (README "How partners integrate"). HUB_KAFKA_PARTNERS, which this script
# used to read, is gone rather than kept for a first boot: the script runs at every `docker compose
# up`, so it would give a partner back, at each start, the access the registry had withdrawn.
set -euo pipefail
BIN="${KAFKA_BIN:-/opt/kafka/bin}"
BOOT=127.0.0.1:9095
PARTITIONS="${HUB_KAFKA_TOPIC_PARTITIONS:-6}"
SERVICES=(volunteers issues assets notifications participation identity)

declare -A CONSUMES=(
  [volunteers]="hub.volunteers.inbound hub.assets.events hub.issues.events hub.privacy hub.identity.events"
  [issues]="hub.issues.inbound hub.assets.events hub.participation.events hub.privacy hub.identity.events"
  [assets]="hub.assets.inbound hub.volunteers.events hub.issues.events hub.privacy hub.identity.events"
  [notifications]="hub.contacts hub.notifications.inbound hub.volunteers.events hub.issues.events hub.assets.events hub.participation.events hub.privacy hub.identity.events"
  [participation]="hub.participation.inbound hub.privacy hub.assets.events hub.issues.events hub.identity.events"
  [identity]=""  # it publishes the partner registry's changes and reads nothing
)

# Another service's inbound topic a service writes to (its requests to that service).
declare -A WRITES_INBOUND=(
  [participation]="hub.assets.inbound"  # a forum meeting's room booking request
)

topics=(hub.contacts hub.privacy)
for s in "${SERVICES[@]}"; do topics+=("hub.$s.events" "hub.$s.inbound" "hub.$s.dlt"); done
for t in "${topics[@]}"; do
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOT" --create --if-not-exists --topic "$t" \
    --partitions "$PARTITIONS" --replication-factor 1
done

scram_user() { # name password
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOT" --alter --entity-type users --entity-name "$1" \
    --add-config "SCRAM-SHA-512=[password=$2]"
}
allow() { "$BIN/kafka-acls.sh" --bootstrap-server "$BOOT" --add --force "$@" >/dev/null; }

for s in "${SERVICES[@]}"; do
  var="KAFKA_PASSWORD_${s^^}"
  password="${!var:?set $var in .env}"
  user="svc-$s"
  scram_user "$user" "$password"
  allow --allow-principal "User:$user" --operation Write --operation Describe \
    --topic "hub.$s.events" --topic "hub.$s.dlt"
  if [[ "$s" != notifications && "$s" != identity ]]; then
    allow --allow-principal "User:$user" --operation Write --operation Describe --topic hub.contacts
  fi
  if [[ "$s" != identity ]]; then  # identity holds no residents' data: it answers no privacy request
    allow --allow-principal "User:$user" --operation Write --operation Describe --topic hub.privacy  # answers
  fi
  for t in ${CONSUMES[$s]}; do
    allow --allow-principal "User:$user" --operation Read --operation Describe --topic "$t"
  done
  for t in ${WRITES_INBOUND[$s]:-}; do
    allow --allow-principal "User:$user" --operation Write --operation Describe --topic "$t"
  done
  allow --allow-principal "User:$user" --operation Describe --topic '*'  # topic bootstrap lists them
  allow --allow-principal "User:$user" --operation Read --group "hub-$s"
  allow --allow-principal "User:$user" --operation IdempotentWrite --cluster
done

# The sync's super user (KAFKA_SUPER_USERS names it): it signs in on the PARTNER listener from an
# operator's machine, since no image holds the CLI.
scram_user admin "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD in .env}"

echo "kafka-init: ${#topics[@]} topics with $PARTITIONS partitions, ${#SERVICES[@]} service users (partners: hub partners sync-kafka)"
