#!/usr/bin/env bash
# Local infrastructure for development and tests: Apache Kafka (KRaft, one combined node) and
# SecantusDB (a MongoDB-wire-compatible server), run as plain processes - no Docker needed.
#
#   scripts/infra.sh install   fetch Kafka jars from Maven Central, SecantusDB from PyPI, Keycloak (the
#                              local OpenID provider for staff sign-in) from Maven Central, the web app's
#                              map (Leaflet from npm) and its browser-test tools (Debian's chromium,
#                              axe-core from npm)
#   scripts/infra.sh up        start both (idempotent) and wait until both answer
#   scripts/infra.sh down      stop exactly the processes 'up' started (by pid file)
#   scripts/infra.sh status    say what is running
#   scripts/infra.sh stores-up one more SecantusDB per service (ports 27101-27105): `make run` uses
#                              them, each service on its own database server (see below)
#   scripts/infra.sh keycloak-up|keycloak-down   the OpenID provider alone (`make run`, and the tests that
#                              sign staff in; `up` does not start it: the other tests do not need it)
#   scripts/infra.sh restart-kafka|stop-kafka|start-kafka|stop-mongo|start-mongo   (fault tests)
#   HUB_LOCAL_KAFKA_SASL_PORT=… HUB_LOCAL_KAFKA_ADMIN_PASSWORD=… scripts/infra.sh start-kafka
#                              a broker with a SASL/SCRAM listener and ACLs, as compose runs it (the
#                              tests of partners' Kafka access; infra/kafka/sasl.properties.template)
#
# Everything lives in the repo's ignored .hub/ folder: jars and venvs in .hub/, data in
# .hub/data, logs in .hub/logs, pid files in .hub/run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HUB_HOME="${HUB_HOME:-$ROOT/.hub}"
# A second, throw-away instance (the test suite's) sets these to other folders and ports.
DATA="${HUB_DATA_DIR:-$HUB_HOME/data}"
LOGS="${HUB_LOGS_DIR:-$HUB_HOME/logs}"
RUN="${HUB_RUN_DIR:-$HUB_HOME/run}"
KAFKA_LIBS="$HUB_HOME/kafka/libs"
KAFKA_CONF="$RUN/kafka-server.properties"
SECANTUS_VENV="$HUB_HOME/secantusdb-venv"
KAFKA_PORT="${HUB_LOCAL_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${HUB_LOCAL_KAFKA_CONTROLLER_PORT:-9093}"
# Set only for a broker with a SASL/SCRAM listener and ACLs (infra/kafka/sasl.properties.template);
# its super user `admin` gets HUB_LOCAL_KAFKA_ADMIN_PASSWORD when the storage is formatted.
KAFKA_SASL_PORT="${HUB_LOCAL_KAFKA_SASL_PORT:-}"
MONGO_PORT="${HUB_LOCAL_MONGO_PORT:-27017}"
KAFKA_HEAP="${HUB_LOCAL_KAFKA_HEAP:-512m}"
MONGO_CACHE="${HUB_LOCAL_MONGO_CACHE:-2G}"  # WiredTiger cache; a small one stalls big deletes under load
# One SecantusDB process serves everything from one Python thread: under a burst of reports it was
# the busiest process on the machine, a full core, with the services waiting on it. Each service
# owns its database, so `make run` gives each its own server (bench/RESULTS.md: the drain halved).
STORES=(volunteers issues assets notifications participation identity)
STORE_PORT_BASE="${HUB_LOCAL_STORE_PORT_BASE:-27101}"  # volunteers 27101, issues 27102, assets 27103, notifications 27104, participation 27105, identity 27106
STORE_CACHE="${HUB_LOCAL_STORE_CACHE:-1G}"
PYTHON="${PYTHON:-python3}"
# Keycloak: version and checksum in infra/keycloak/dist.env; the realm (clients, groups, demo staff)
# in deploy/keycloak/community-hub-realm.json, imported at every start into an in-memory store.
# shellcheck source=../infra/keycloak/dist.env
source "$ROOT/infra/keycloak/dist.env"
KEYCLOAK_HOME="$HUB_HOME/keycloak"
KEYCLOAK_PORT="${HUB_LOCAL_KEYCLOAK_PORT:-8180}"
KEYCLOAK_MANAGEMENT_PORT="${HUB_LOCAL_KEYCLOAK_MANAGEMENT_PORT:-9180}"  # health endpoints
KEYCLOAK_HEAP="${HUB_LOCAL_KEYCLOAK_HEAP:--Xms64m -Xmx512m}"
REALM_FILE="$ROOT/deploy/keycloak/community-hub-realm.json"

log() { printf '[infra] %s\n' "$*" >&2; }

stamp_of() { sha256sum "$@" | sha256sum | cut -c1-16; }

install_kafka() {
  local want; want="$(stamp_of "$ROOT/infra/kafka/pom.xml")"
  if [[ -f "$KAFKA_LIBS/.stamp" && "$(cat "$KAFKA_LIBS/.stamp")" == "$want" ]]; then return; fi
  log "fetching Apache Kafka jars from Maven Central into $KAFKA_LIBS"
  command -v java >/dev/null || { log "java (17+) is required for the Kafka broker"; exit 1; }
  command -v mvn >/dev/null || { log "maven is required to fetch the Kafka jars"; exit 1; }
  rm -rf "$KAFKA_LIBS"; mkdir -p "$KAFKA_LIBS"
  mvn -q -B -Dstyle.color=never -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime
  echo "$want" > "$KAFKA_LIBS/.stamp"
}

install_secantus() {
  local want; want="$(stamp_of "$ROOT/infra/secantusdb/requirements.lock")"
  if [[ -f "$SECANTUS_VENV/.stamp" && "$(cat "$SECANTUS_VENV/.stamp")" == "$want" ]]; then return; fi
  log "installing SecantusDB from PyPI into $SECANTUS_VENV"
  rm -rf "$SECANTUS_VENV"
  "$PYTHON" -m venv "$SECANTUS_VENV"
  "$SECANTUS_VENV/bin/pip" install -q --disable-pip-version-check \
    -r "$ROOT/infra/secantusdb/requirements.lock"
  echo "$want" > "$SECANTUS_VENV/.stamp"
}

java_major() { # java binary: its feature version (17, 21, 25...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

# Keycloak 26 needs Java 21+, while the machine's default Java (Kafka's) may be 17: use
# HUB_KEYCLOAK_JAVA_HOME, else JAVA_HOME or the java on PATH if new enough, else the newest JDK
# under /usr/lib/jvm that is.
keycloak_java_home() {
  local candidate
  for candidate in "${HUB_KEYCLOAK_JAVA_HOME:-}" "${JAVA_HOME:-}" \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")")" \
      $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    if [[ -n "$candidate" && -x "$candidate/bin/java" ]] && (( $(java_major "$candidate/bin/java" || echo 0) >= 21 )); then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

install_keycloak() {
  if [[ -f "$KEYCLOAK_HOME/.stamp" && "$(cat "$KEYCLOAK_HOME/.stamp")" == "$KEYCLOAK_VERSION" ]]; then return; fi
  local java_home; java_home="$(keycloak_java_home)" || {
    log "Keycloak $KEYCLOAK_VERSION needs Java 21 or newer (found none: set HUB_KEYCLOAK_JAVA_HOME); skipping it, so staff sign-in through OpenID Connect cannot be run or tested here"
    return 0
  }
  local name="keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" downloads="$HUB_HOME/downloads"
  local url="https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/$name"
  mkdir -p "$downloads"
  if [[ ! -f "$downloads/$name" ]] || ! echo "$KEYCLOAK_SHA1  $downloads/$name" | sha1sum -c --quiet - 2>/dev/null; then
    log "fetching Keycloak $KEYCLOAK_VERSION from Maven Central (about 170 MB)"
    curl -fsSL --retry 3 -o "$downloads/$name.part" "$url"
    echo "$KEYCLOAK_SHA1  $downloads/$name.part" | sha1sum -c --quiet - \
      || { log "$name does not match the SHA-1 in infra/keycloak/dist.env"; rm -f "$downloads/$name.part"; exit 1; }
    mv "$downloads/$name.part" "$downloads/$name"
  fi
  rm -rf "$KEYCLOAK_HOME" "$KEYCLOAK_HOME.part"; mkdir -p "$KEYCLOAK_HOME.part"
  tar -xzf "$downloads/$name" -C "$KEYCLOAK_HOME.part" --strip-components=1
  # Build once here (Quarkus' augmentation, ~25 s) with the options every start uses, so that a start
  # is `start --optimized`: ready in seconds rather than the half minute `start-dev` rebuilds for.
  # dev-mem: an in-memory store, refilled from the realm file at each start (nothing to keep locally);
  # cache=local: two instances on one machine (make run's, the tests') must not form a cluster.
  log "building Keycloak $KEYCLOAK_VERSION (Java: $java_home)"
  JAVA_HOME="$java_home" "$KEYCLOAK_HOME.part/bin/kc.sh" build --db=dev-mem --cache=local --health-enabled=true \
    >"$HUB_HOME/keycloak-build.log" 2>&1 || { log "Keycloak build failed; see $HUB_HOME/keycloak-build.log"; exit 1; }
  echo "$KEYCLOAK_VERSION" > "$KEYCLOAK_HOME.part/.stamp"
  mv "$KEYCLOAK_HOME.part" "$KEYCLOAK_HOME"
}

keycloak_ready() {
  curl -fsS "http://127.0.0.1:$KEYCLOAK_MANAGEMENT_PORT/health/ready" >/dev/null 2>&1
}

start_keycloak() {
  if pid_alive "$RUN/keycloak.pid"; then log "keycloak already running (pid $(cat "$RUN/keycloak.pid"))"; return; fi
  [[ -f "$KEYCLOAK_HOME/.stamp" ]] || { log "Keycloak is not installed (needs Java 21+): run make install"; exit 1; }
  local port; for port in "$KEYCLOAK_PORT" "$KEYCLOAK_MANAGEMENT_PORT"; do
    if port_open "$port"; then log "port $port is taken by a process this script did not start"; exit 1; fi
  done
  local java_home; java_home="$(keycloak_java_home)" || { log "Keycloak needs Java 21 or newer"; exit 1; }
  # --import-realm reads $KEYCLOAK_HOME/data/import (not configurable): make run's instance and the
  # tests' share it, and differ only by the environment that fills the file's ${...} placeholders.
  mkdir -p "$KEYCLOAK_HOME/data/import" "$LOGS" "$RUN"
  cp "$REALM_FILE" "$KEYCLOAK_HOME/data/import/"
  log "starting keycloak on http://127.0.0.1:$KEYCLOAK_PORT (health :$KEYCLOAK_MANAGEMENT_PORT, log: $LOGS/keycloak.log)"
  # Plain HTTP on loopback only (a development provider); hostname-strict=false: the issuer is the
  # address it is reached at. The realm file's ${...} placeholders come from the environment.
  JAVA_HOME="$java_home" JAVA_OPTS_KC_HEAP="$KEYCLOAK_HEAP" nohup "$KEYCLOAK_HOME/bin/kc.sh" start --optimized \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" \
    --http-management-port="$KEYCLOAK_MANAGEMENT_PORT" --hostname-strict=false \
    --import-realm \
    >>"$LOGS/keycloak.log" 2>&1 &
  echo $! > "$RUN/keycloak.pid"
}

# The web app's npm packages, pinned by web/package-lock.json: Leaflet and Leaflet.markercluster (its
# map, served from .hub/web-tools/node_modules/*/dist; the image gets its own copy) and, for the browser tests,
# axe-core and Debian's Chromium (driven by Playwright; Playwright's own browser downloads are never used).
WEB_TOOLS="$HUB_HOME/web-tools"
install_web_packages() {
  if [[ ! -x /usr/bin/chromium ]]; then
    if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
      log "installing Debian's chromium for the web app's browser tests"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      log "chromium is missing and cannot be installed here (needs root and apt-get): the browser tests will be skipped (and fail when CI is set)"
    fi
  fi
  local want; want="$(stamp_of "$ROOT/web/package.json" "$ROOT/web/package-lock.json")"
  if [[ -f "$WEB_TOOLS/.stamp" && "$(cat "$WEB_TOOLS/.stamp")" == "$want" ]]; then return; fi
  command -v npm >/dev/null || { log "npm is required to fetch the web app's map (Leaflet) and axe-core"; exit 1; }
  log "installing Leaflet and axe-core from npm into $WEB_TOOLS"
  rm -rf "$WEB_TOOLS"; mkdir -p "$WEB_TOOLS"
  cp "$ROOT/web/package.json" "$ROOT/web/package-lock.json" "$WEB_TOOLS/"
  (cd "$WEB_TOOLS" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$WEB_TOOLS/.stamp"
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # name seconds command...
  local name="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if (( SECONDS >= deadline )); then log "$name did not answer within ${seconds}s; see $LOGS"; return 1; fi
    sleep 0.5
  done
}

kafka_java() { # class args...
  java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_ready() {
  # The broker is ready when it answers a metadata request, not merely when the port is open.
  port_open "$KAFKA_PORT" && "$PYTHON" "$ROOT/scripts/kafka_ping.py" "127.0.0.1:$KAFKA_PORT"
}

start_kafka() {
  if pid_alive "$RUN/kafka.pid"; then log "kafka already running (pid $(cat "$RUN/kafka.pid"))"; return; fi
  local port; for port in "$KAFKA_PORT" $KAFKA_SASL_PORT; do
    if port_open "$port"; then log "port $port is taken by a process this script did not start"; exit 1; fi
  done
  mkdir -p "$DATA/kafka" "$LOGS" "$RUN"
  local fill=(-e "s#@HUB_DATA@#$DATA#g" -e "s#@KAFKA_PORT@#$KAFKA_PORT#g"
    -e "s#@KAFKA_CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@KAFKA_SASL_PORT@#$KAFKA_SASL_PORT#g")
  local format_extra=()
  if [[ -n "$KAFKA_SASL_PORT" ]]; then
    local sasl="$ROOT/infra/kafka/sasl.properties.template" overridden
    [[ -n "${HUB_LOCAL_KAFKA_ADMIN_PASSWORD:-}" ]] || { log "HUB_LOCAL_KAFKA_SASL_PORT needs HUB_LOCAL_KAFKA_ADMIN_PASSWORD"; exit 1; }
    # The SASL file names the listeners anew: drop the template's lines for the keys it sets.
    overridden="$(sed -n 's/^\([a-z.]*\)=.*/\1/p' "$sasl" | paste -sd'|')"
    { sed "${fill[@]}" "$ROOT/infra/kafka/server.properties.template" | grep -vE "^($overridden)="
      sed "${fill[@]}" "$sasl"; } > "$KAFKA_CONF"
    # KRaft keeps SCRAM credentials in its metadata log: the first super user is written at format time.
    format_extra=(--add-scram "SCRAM-SHA-512=[name=admin,password=$HUB_LOCAL_KAFKA_ADMIN_PASSWORD]")
  else
    sed "${fill[@]}" "$ROOT/infra/kafka/server.properties.template" > "$KAFKA_CONF"
  fi
  if [[ ! -f "$DATA/kafka/meta.properties" ]]; then
    log "formatting KRaft storage in $DATA/kafka"
    local cluster_id; cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONF" "${format_extra[@]}" >>"$LOGS/kafka.log" 2>&1
  fi
  log "starting kafka on 127.0.0.1:$KAFKA_PORT${KAFKA_SASL_PORT:+ (SASL/SCRAM on $KAFKA_SASL_PORT)} (log: $LOGS/kafka.log)"
  nohup java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONF" >>"$LOGS/kafka.log" 2>&1 &
  echo $! > "$RUN/kafka.pid"
}

start_mongo() { start_secantus secantusdb "$MONGO_PORT" "$DATA/mongo" "$LOGS/mongo.log" "$RUN/mongo.pid" "$MONGO_CACHE"; }

start_secantus() { # name port storage-path log pidfile cache-size
  local name="$1" port="$2" storage="$3" logfile="$4" pidfile="$5" cache="$6"
  if pid_alive "$pidfile"; then log "$name already running (pid $(cat "$pidfile"))"; return; fi
  if port_open "$port"; then log "port $port is taken by a process this script did not start"; exit 1; fi
  mkdir -p "$storage" "$LOGS" "$RUN"
  log "starting $name on 127.0.0.1:$port (log: $logfile)"
  nohup "$SECANTUS_VENV/bin/secantusd-py" --host 127.0.0.1 --port "$port" --cache-size "$cache" \
    --storage-path "$storage" --log-level WARNING >>"$logfile" 2>&1 &
  echo $! > "$pidfile"
}

mongo_ready() { mongo_ready_on "$MONGO_PORT"; }

mongo_ready_on() {
  port_open "$1" && "$SECANTUS_VENV/bin/python" - "$1" <<'PY' 2>/dev/null
import sys, pymongo
client = pymongo.MongoClient(f"mongodb://127.0.0.1:{sys.argv[1]}", serverSelectionTimeoutMS=1000)
client.admin.command("ping")
PY
}

store_port() { # service
  local i; for i in "${!STORES[@]}"; do
    if [[ "${STORES[$i]}" == "$1" ]]; then echo $((STORE_PORT_BASE + i)); return 0; fi
  done
  log "no such service: $1"; return 1
}

start_store() { # service
  start_secantus "secantusdb ($1)" "$(store_port "$1")" "$DATA/mongo-$1" "$LOGS/mongo-$1.log" "$RUN/mongo-$1.pid" "$STORE_CACHE"
}

stop_pid() { # name pidfile
  local name="$1" pidfile="$2"
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; return; fi
  local pid; pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "$name did not stop in 30s; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
}

cmd="${1:-status}"
case "$cmd" in
  install) install_kafka; install_secantus; install_keycloak; install_web_packages ;;
  keycloak-up)
    install_keycloak
    began=$SECONDS; start_keycloak
    wait_for keycloak 180 keycloak_ready  # ready: the realm is imported (about 15 s on 2 cores)
    log "ready in $((SECONDS - began))s: keycloak http://127.0.0.1:$KEYCLOAK_PORT/realms/community-hub" ;;
  keycloak-down) stop_pid keycloak "$RUN/keycloak.pid" ;;
  up)
    install_kafka; install_secantus
    start_mongo; start_kafka
    wait_for secantusdb 60 mongo_ready
    wait_for kafka 120 kafka_ready
    log "ready: kafka 127.0.0.1:$KAFKA_PORT, mongodb://127.0.0.1:$MONGO_PORT" ;;
  stores-up)
    install_secantus
    for name in "${STORES[@]}"; do start_store "$name"; done
    for name in "${STORES[@]}"; do wait_for "secantusdb ($name)" 60 mongo_ready_on "$(store_port "$name")"; done
    log "ready: $(for name in "${STORES[@]}"; do printf '%s mongodb://127.0.0.1:%s  ' "$name" "$(store_port "$name")"; done)" ;;
  store-port) store_port "$2" ;;
  down)
    stop_pid kafka "$RUN/kafka.pid"; stop_pid secantusdb "$RUN/mongo.pid"
    for name in "${STORES[@]}"; do stop_pid "secantusdb ($name)" "$RUN/mongo-$name.pid"; done ;;
  status)
    for name in kafka mongo keycloak; do
      if pid_alive "$RUN/$name.pid"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"; else echo "$name: stopped"; fi
    done
    for name in "${STORES[@]}"; do
      if pid_alive "$RUN/mongo-$name.pid"; then echo "mongo-$name: running on $(store_port "$name") (pid $(cat "$RUN/mongo-$name.pid"))"; fi
    done ;;
  stop-kafka) stop_pid kafka "$RUN/kafka.pid" ;;
  start-kafka) start_kafka; wait_for kafka 120 kafka_ready ;;
  stop-mongo) stop_pid secantusdb "$RUN/mongo.pid" ;;
  start-mongo) start_mongo; wait_for secantusdb 60 mongo_ready ;;
  wipe) "$0" down; rm -rf "$DATA"; log "removed $DATA" ;;
  *) echo "usage: $0 install|up|keycloak-up|keycloak-down|stores-up|store-port SERVICE|down|status|wipe|stop-kafka|start-kafka|stop-mongo|start-mongo" >&2; exit 2 ;;
esac
