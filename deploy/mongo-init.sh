#!/usr/bin/env bash
# Runs once per `docker compose up` (idempotent): initiates the single-member replica set
# (transactions and change streams need one) and gives each service a user that owns only its
# own database.
set -euo pipefail
ROOT="mongodb://${MONGO_ROOT_USERNAME:-root}:${MONGO_ROOT_PASSWORD:?set MONGO_ROOT_PASSWORD}@mongo:27017/admin?directConnection=true"

mongosh "$ROOT" --quiet --eval '
  try { rs.status() } catch (e) { rs.initiate({_id: "rs0", members: [{_id: 0, host: "mongo:27017"}]}) }
'
until mongosh "$ROOT" --quiet --eval 'db.hello().isWritablePrimary' | grep -q true; do sleep 1; done

for s in volunteers issues assets notifications participation identity; do
  var="MONGO_PASSWORD_${s^^}"
  password="${!var:?set $var in .env}"
  mongosh "$ROOT" --quiet --eval "
    const target = db.getSiblingDB('hub_$s');
    if (target.getUser('svc-$s')) {
      target.updateUser('svc-$s', {pwd: '$password', roles: [{role: 'dbOwner', db: 'hub_$s'}]});
    } else {
      target.createUser({user: 'svc-$s', pwd: '$password', roles: [{role: 'dbOwner', db: 'hub_$s'}]});
    }
  "
done
echo "mongo-init: replica set rs0 ready, service users in place"
