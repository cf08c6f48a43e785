#!/usr/bin/env bash
# `make run`: start Kafka + MongoDB (unless HUB_KAFKA_BOOTSTRAP_SERVERS / HUB_MONGO_URI point
# elsewhere), Keycloak as the council's sign-in (unless HUB_WEB_OIDC_ISSUER_URL names a provider,
# or HUB_KEYCLOAK=false), the six services (role "all": API + worker) and the web app on 8080,
# wait until each is ready, print the URLs, and on Ctrl-C stop everything this script started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV="${UV:-uv}"
export HUB_LOG_FORMAT="${HUB_LOG_FORMAT:-console}"
export HUB_DEMO_DATA="${HUB_DEMO_DATA:-true}"

declare -A PORTS=([volunteers]=8001 [issues]=8002 [assets]=8003 [notifications]=8004 [participation]=8005 [identity]=8006)
# identity first: it is the token issuer the others verify against (they fetch its keys when first asked).
SERVICES=(identity volunteers issues assets notifications participation)
pids=()
started_infra=false
started_keycloak=false
keycloak_pid=""
per_service_stores=false

cleanup() {
  trap - INT TERM EXIT
  echo; echo "[run] stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$keycloak_pid" ]]; then wait "$keycloak_pid" 2>/dev/null || true; fi
  if $started_keycloak; then scripts/infra.sh keycloak-down; fi
  if $started_infra; then scripts/infra.sh down; fi
}
trap cleanup INT TERM EXIT

if [[ -z "${HUB_KAFKA_BOOTSTRAP_SERVERS:-}" && -z "${HUB_MONGO_URI:-}" ]]; then
  status="$(scripts/infra.sh status)"
  if [[ "$status" != *"kafka: running"* || "$status" != *"mongo: running"* ]]; then started_infra=true; fi
  scripts/infra.sh up
  # Each service on a database server of its own (one SecantusDB process is single-threaded and was
  # the bottleneck under load); HUB_STORE_PER_SERVICE=false keeps them all on the shared one.
  if [[ "${HUB_STORE_PER_SERVICE:-true}" == "true" ]]; then
    scripts/infra.sh stores-up
    per_service_stores=true
    mkdir -p .hub/run
    : > .hub/run/stores.env
    for service in "${SERVICES[@]}"; do
      echo "export HUB_MONGO_URI_${service^^}=mongodb://127.0.0.1:$(scripts/infra.sh store-port "$service")" >> .hub/run/stores.env
    done
  fi
else
  echo "[run] using external infrastructure: kafka=${HUB_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092} mongo=${HUB_MONGO_URI:-mongodb://127.0.0.1:27017}"
fi

# The council's identity provider, for staff sign-in: a local Keycloak with the demo realm
# (deploy/keycloak/community-hub-realm.json), started in the background while the services start.
if [[ -z "${HUB_WEB_OIDC_ISSUER_URL:-}" && "${HUB_KEYCLOAK:-true}" == "true" ]]; then
  if [[ -f .hub/keycloak/.stamp ]]; then
    if [[ "$(scripts/infra.sh status)" != *"keycloak: running"* ]]; then started_keycloak=true; fi
    scripts/infra.sh keycloak-up > >(sed -u "s/^/[keycloak] /") 2>&1 &
    keycloak_pid=$!
    export HUB_WEB_OIDC_ISSUER_URL="http://127.0.0.1:${HUB_LOCAL_KEYCLOAK_PORT:-8180}/realms/community-hub"
    export HUB_WEB_OIDC_CLIENT_ID="${HUB_WEB_OIDC_CLIENT_ID:-hub-web}"
    export HUB_WEB_OIDC_CLIENT_SECRET="${HUB_WEB_OIDC_CLIENT_SECRET:-demo-web-client-secret}"  # the realm file's development default
    export HUB_WEB_OIDC_PROVIDER_NAME="${HUB_WEB_OIDC_PROVIDER_NAME:-the demo council account}"
    demo_group_map='{"/hubs/{hub}/staff": {"role": "staff"}, "/operators": {"role": "operator"}, "/privacy": {"role": "privacy"}, "/hubs/{hub}/councillors": {"role": "councillor"}}'
    export HUB_WEB_OIDC_GROUP_MAP="${HUB_WEB_OIDC_GROUP_MAP:-$demo_group_map}"
  else
    echo "[run] Keycloak is not installed (it needs Java 21 or newer; see make install): staff sign in with the demo passwords only"
  fi
fi

# Development stand-ins for the outside world: a mail catcher (SMTP on 1025, emails kept in
# .hub/mail/) and the demo partner that the demo webhook subscription delivers to (port 8090).
# Skipped when HUB_SMTP_HOST points at a real mail server.
if [[ -z "${HUB_SMTP_HOST:-}" ]]; then
  "$UV" run --frozen python scripts/demo_mailbox.py > >(sed -u "s/^/[mail] /") 2>&1 &
  pids+=($!)
fi
"$UV" run --frozen python scripts/demo_partner.py > >(sed -u "s/^/[partner] /") 2>&1 &
pids+=($!)
export HUB_WEBHOOK_ALLOW_PRIVATE="${HUB_WEBHOOK_ALLOW_PRIVATE:-true}"  # the demo partner is on 127.0.0.1

store_uri() { # service: its own database server when make run started one, else HUB_MONGO_URI
  local var="HUB_MONGO_URI_${1^^}"
  if $per_service_stores; then
    grep "^export $var=" .hub/run/stores.env | cut -d= -f2-
  else
    echo "${HUB_MONGO_URI:-mongodb://127.0.0.1:27017}"
  fi
}

for service in "${SERVICES[@]}"; do
  HUB_MONGO_URI="$(store_uri "$service")" HUB_HTTP_PORT="${PORTS[$service]}" \
    "$UV" run --frozen python -m "hub_$service" --role all \
    > >(sed -u "s/^/[$service] /") 2>&1 &
  pids+=($!)
done
# More notifications workers (same consumer group, same queue): under a burst of reports the
# pipeline drains in about half the time with two (bench/RESULTS.md).
for n in $(seq 2 "${HUB_NOTIFICATIONS_WORKERS:-2}"); do
  HUB_MONGO_URI="$(store_uri notifications)" "$UV" run --frozen python -m hub_notifications --role worker \
    > >(sed -u "s/^/[notifications-$n] /") 2>&1 &
  pids+=($!)
done

for service in "${SERVICES[@]}"; do
  url="http://127.0.0.1:${PORTS[$service]}/health/ready"
  for _ in $(seq 1 120); do
    if curl -fsS "$url" >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  curl -fsS "$url" >/dev/null 2>&1 || { echo "[run] $service did not become ready; see its log lines above"; exit 1; }
done

if [[ -n "$keycloak_pid" ]]; then
  wait "$keycloak_pid" || { echo "[run] Keycloak did not start; see .hub/logs/keycloak.log"; exit 1; }
  keycloak_pid=""
fi

# The web app: demo staff accounts and demo-volunteer sign-in for local use (refused in production);
# notifications' links (HUB_PUBLIC_BASE_URL, default http://127.0.0.1:8080) point at it.
HUB_WEB_DEMO_ACCOUNTS="${HUB_WEB_DEMO_ACCOUNTS:-true}" HUB_WEB_DEV_SIGN_IN="${HUB_WEB_DEV_SIGN_IN:-true}" \
  "$UV" run --frozen python -m hub_web > >(sed -u "s/^/[web] /") 2>&1 &
pids+=($!)
web_url="http://127.0.0.1:${HUB_WEB_HTTP_PORT:-8080}"
for _ in $(seq 1 60); do
  if curl -fsS "$web_url/health/live" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
curl -fsS "$web_url/health/live" >/dev/null 2>&1 || { echo "[run] the web app did not start; see its log lines above"; exit 1; }

cat <<MSG

[run] the web app is ready: $web_url
      staff sign-in (demo): northfield / demo-password, riverside / demo-password
$(if [[ -n "${HUB_WEB_OIDC_ISSUER_URL:-}" ]]; then
  echo "      council sign-in: ${HUB_WEB_OIDC_ISSUER_URL}"
  if $started_keycloak || [[ "${HUB_WEB_OIDC_ISSUER_URL}" == *"/realms/community-hub" ]]; then
    echo "        (demo Keycloak) nadia.northfield, ravi.riverside, olga.operator, colin.contractor (in no staff group) / demo-password"
  fi
fi)
[run] all six services are ready:
      volunteers     http://127.0.0.1:8001/docs
      issues         http://127.0.0.1:8002/docs
      assets         http://127.0.0.1:8003/docs
      notifications  http://127.0.0.1:8004/docs
      participation  http://127.0.0.1:8005/docs
      identity       http://127.0.0.1:8006/docs  (the token issuer; demo partner: demo-partner / dev-demo-partner-secret)
      Kafka ${HUB_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092} · MongoDB $(if $per_service_stores; then
        echo "one server per service: $(for s in "${SERVICES[@]}"; do printf '%s %s  ' "$s" "$(store_uri "$s")"; done)"
        echo "      (for the hub CLI in another shell: source .hub/run/stores.env)"
      else echo "${HUB_MONGO_URI:-mongodb://127.0.0.1:27017}"; fi)
[run] emails the platform sends are kept in .hub/mail/ ([mail] lines); the demo partner prints
      the webhooks it receives ([partner] lines: Riverside reports, signature verified).
[run] press Ctrl-C to stop everything this started.
MSG
wait -n "${pids[@]}"
echo "[run] a service exited; stopping the rest"
