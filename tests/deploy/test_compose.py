"""The compose deployment checked against the services' real settings, ports, topics and wiring.

No Docker engine runs here, so these read the files (docker-compose.yml, the Dockerfile, Caddyfile,
init scripts) and compare them with the code they deploy: a renamed setting, a moved port or a
new consumed topic that the deployment does not follow fails here.
"""

from __future__ import annotations

import importlib
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from hub_common.contracts import CONTACTS_TOPIC, PRIVACY_TOPIC, all_topics
from hub_common.contracts.privacy import ANSWER_TYPES
from hub_common.contracts.topics import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
CADDY = (ROOT / "deploy" / "Caddyfile").read_text()
ENV_EXAMPLE = dict(
    line.split("=", 1) for line in (ROOT / "deploy" / "hub.env.example").read_text().splitlines() if "=" in line
)


def definition(service: str):
    return importlib.import_module(f"hub_{service}.__main__").DEFINITION


def settings_fields(service: str) -> set[str]:
    cls = definition(service).settings_class
    names = set()
    for name, field in cls.model_fields.items():
        names.add((field.alias or f"HUB_{name}").upper())
    return names


def web_settings_fields() -> set[str]:
    from hub_web.settings import WebSettings

    names = set()
    for name, field in WebSettings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or []
        names |= {a.upper() for a in aliases if isinstance(a, str) and a.startswith("HUB_")}
        names.add(f"HUB_WEB_{name}".upper())
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_scalable_api_and_worker_from_one_image(service: str) -> None:
    api, worker = COMPOSE["services"][f"{service}-api"], COMPOSE["services"][f"{service}-worker"]
    assert api["command"] == ["--role", "api"] and worker["command"] == ["--role", "worker"]
    assert api["image"] == worker["image"] == f"community-hub/{service}:${{HUB_VERSION:-latest}}"
    port = str(definition(service).settings_class.default_http_port)
    assert api["build"] == {"context": ".", "args": {"APP": service, "PORT": port}}  # the one Dockerfile
    for container in (api, worker):
        assert "ports" not in container and "container_name" not in container  # or --scale would clash
        assert container["restart"] == "unless-stopped"
        assert container["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
        assert container["depends_on"]["mongo-init"]["condition"] == "service_completed_successfully"
        assert container["deploy"]["resources"]["limits"]["memory"]
        assert container["env_file"] == [".env"]
    # The worker serves its health and metrics (outbox age, consumer lag) on a port of its own.
    probe_port = worker["environment"]["HUB_WORKER_HTTP_PORT"]
    assert set(worker["environment"]) <= settings_fields(service)
    assert f"127.0.0.1:{probe_port}/health/live" in " ".join(worker["healthcheck"]["test"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_settings_ports_and_paths_match_the_code(service: str) -> None:
    settings_class = definition(service).settings_class
    env = COMPOSE["services"][f"{service}-api"]["environment"]
    assert set(env) <= settings_fields(service), "compose sets a variable the service does not read"
    port = settings_class.default_http_port
    assert env["HUB_HTTP_PORT"] == str(port)
    assert env["HUB_ROOT_PATH"] == f"/{service}"
    assert f"/{settings_class(environment='development').mongo_db}?" in env["HUB_MONGO_URI"]
    assert env["HUB_KAFKA_USERNAME"] == f"svc-{service}"
    health = " ".join(COMPOSE["services"][f"{service}-api"]["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/health/ready" in health
    assert COMPOSE["services"][f"{service}-api"]["build"]["args"]["PORT"] == str(port)
    assert re.search(rf"handle_path /{service}/\* \{{\s+reverse_proxy \{{\s+dynamic a {service}-api {port} ", CADDY)


def test_open311_keeps_its_path_and_goes_to_the_issues_api() -> None:
    port = definition("issues").settings_class.default_http_port
    assert re.search(rf"handle /open311/\* \{{\s+reverse_proxy \{{\s+dynamic a issues-api {port} ", CADDY)


def test_every_hub_variable_in_the_env_example_is_read_by_some_service() -> None:
    known = (
        set().union(*(settings_fields(s) for s in SERVICES))
        | web_settings_fields()
        | {
            "HUB_VERSION",
            "HUB_GATEWAY_PORT",
            "HUB_KEYCLOAK_PUBLIC_URL",  # compose's own: the keycloak service's hostname and the web's issuer
        }
    )
    unknown = {name for name in ENV_EXAMPLE if name.startswith("HUB_")} - known
    assert not unknown, f"the env example sets variables no service reads: {unknown}"
    assert ENV_EXAMPLE["HUB_ENVIRONMENT"] == "production"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_starts_in_production_from_the_env_example(service: str, monkeypatch) -> None:
    """A setting a service refuses its development value of in production must be in the example, or
    an operator following it gets a service that will not start."""
    for name, value in ENV_EXAMPLE.items():
        if name.startswith("HUB_"):
            monkeypatch.setenv(name, value)
    settings = definition(service).settings_class()
    assert settings.environment == "production"


def test_one_dockerfile_builds_every_image_multi_stage_non_root_from_the_lock_file() -> None:
    found = [
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("Dockerfile*")
        if not {".hub", ".venv", "node_modules"} & set(p.relative_to(ROOT).parts)
    ]
    assert found == ["Dockerfile"]
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.M)) == 3  # the web map's npm files, the Python build, the image
    assert "npm ci --omit=dev" in DOCKERFILE and "HUB_WEB_LEAFLET_DIR=/app/web-assets/leaflet" in DOCKERFILE
    assert 'uv sync --frozen --no-dev --no-editable --package "hub-$APP"' in DOCKERFILE
    assert re.search(r"^USER 10001$", DOCKERFILE, re.M)
    assert 'exec python -m hub_%s "$@"' in DOCKERFILE and 'ENTRYPOINT ["hub-app"]' in DOCKERFILE
    assert "HUB_HTTP_PORT=${PORT}" in DOCKERFILE and "HUB_WEB_HTTP_PORT=${PORT}" in DOCKERFILE
    assert "EXPOSE ${PORT}" in DOCKERFILE and "HUB_ENVIRONMENT=production" in DOCKERFILE
    assert "HUB_ROLE=api" in DOCKERFILE  # a service image serves the API unless told to be a worker
    images = [c["build"]["args"]["APP"] for c in COMPOSE["services"].values() if "build" in c]
    assert sorted(images) == sorted([*SERVICES, "web"])


@pytest.mark.parametrize("package", [*(f"hub-{s}" for s in SERVICES), "hub-web"])
def test_no_image_installs_the_test_kit_or_test_tools(package: str) -> None:
    # What "uv sync --frozen --no-dev --package <app>" installs in the image, read from the lock file.
    uv = ROOT / ".hub" / "tools" / "bin" / "uv"
    exported = subprocess.run(  # noqa: S603 - our own pinned uv
        [str(uv), "export", "--frozen", "--no-dev", "--no-hashes", "--package", package],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line.split(";")[0].strip() for line in exported.splitlines() if line and line[0] not in " #"]
    installed = {line.split("==")[0].removeprefix("-e ./").rsplit("/", 1)[-1] for line in lines}
    assert {"common", package.removeprefix("hub-"), "fastapi"} <= installed, installed
    assert not {"testkit", "pytest", "asgi-lifespan", "aiosmtpd", "schemathesis"} & installed, installed


def test_dockerignore_keeps_local_state_out_of_images() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".hub", ".venv", ".git"} <= set(ignored)


def test_infrastructure_uses_the_official_images_with_health_checks() -> None:
    services = COMPOSE["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["mongo"]["image"].startswith("mongo:")
    assert "--replSet" in services["mongo"]["command"] and "--keyFile" in services["mongo"]["command"]
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "PARTNER:SASL_PLAINTEXT" in services["kafka"]["environment"]["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert services["kafka"]["environment"]["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert all("healthcheck" in services[name] for name in ("kafka", "mongo"))
    assert services["mailpit"]["profiles"] == ["dev"]


def test_the_identity_provider_is_the_keycloak_make_install_runs_with_the_same_realm() -> None:
    keycloak, web = COMPOSE["services"]["keycloak"], COMPOSE["services"]["web"]
    dist = dict(
        line.split("=", 1)
        for line in (ROOT / "infra" / "keycloak" / "dist.env").read_text().splitlines()
        if "=" in line
    )
    assert keycloak["image"] == f"quay.io/keycloak/keycloak:{dist['KEYCLOAK_VERSION']}"
    assert keycloak["volumes"] == [
        "./deploy/keycloak/community-hub-realm.json:/opt/keycloak/data/import/community-hub-realm.json:ro"
    ]
    assert "--import-realm" in keycloak["command"] and "healthcheck" in keycloak
    assert keycloak["environment"]["HUB_KEYCLOAK_WEB_CLIENT_SECRET"].startswith("${HUB_WEB_OIDC_CLIENT_SECRET:?")
    realm = (ROOT / "deploy" / "keycloak" / "community-hub-realm.json").read_text()
    assert '"secret": "${HUB_KEYCLOAK_WEB_CLIENT_SECRET:' in realm
    # The web app: the issuer the browser sees, the discovery document from inside the network.
    env = web["environment"]
    assert env["HUB_WEB_OIDC_ISSUER_URL"] == "${HUB_KEYCLOAK_PUBLIC_URL:-http://localhost:8180}/realms/community-hub"
    assert env["HUB_WEB_OIDC_DISCOVERY_URL"].startswith("http://keycloak:8080/realms/community-hub/")
    assert web["depends_on"]["keycloak"] == {"condition": "service_healthy"}
    assert {"HUB_WEB_OIDC_ISSUER_URL", "HUB_WEB_OIDC_DISCOVERY_URL", "HUB_WEB_OIDC_CLIENT_ID"} <= web_settings_fields()
    assert "HUB_WEB_OIDC_CLIENT_SECRET" in ENV_EXAMPLE and "HUB_WEB_OIDC_GROUP_MAP" in ENV_EXAMPLE


def test_kafka_init_reads_what_each_service_consumes_and_creates_every_contract_topic() -> None:
    script = (ROOT / "deploy" / "kafka-init.sh").read_text()
    for service in SERVICES:
        match = re.search(rf'\[{service}\]="([^"]*)"', script)
        assert match, f"kafka-init.sh has no CONSUMES entry for {service}"
        assert set(match.group(1).split()) == set(definition(service).consumes), service
    assert "topics=(hub.contacts hub.privacy)" in script
    assert 'topics+=("hub.$s.events" "hub.$s.inbound" "hub.$s.dlt")' in script
    assert len(all_topics()) == 2 + 3 * len(SERVICES)


def test_kafka_acls_keep_contacts_to_notifications_and_leave_partners_to_the_registry(tmp_path: Path) -> None:
    """Run kafka-init.sh with recording stand-ins for the Kafka tools and read the ACLs it asks for."""
    calls = tmp_path / "calls.log"
    for tool in ("kafka-topics.sh", "kafka-configs.sh", "kafka-acls.sh"):
        shim = tmp_path / tool
        shim.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{calls}"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = {
        **os.environ,
        "KAFKA_BIN": str(tmp_path),
        "KAFKA_ADMIN_PASSWORD": "pw-admin",
        **{f"KAFKA_PASSWORD_{s.upper()}": f"pw-{s}" for s in SERVICES},
    }
    script = str(ROOT / "deploy" / "kafka-init.sh")
    subprocess.run(["/bin/bash", script], env=env, check=True, capture_output=True)  # noqa: S603
    acls = [line for line in calls.read_text().splitlines() if line.startswith("kafka-acls.sh")]

    def grants(user: str, operation: str) -> set[str]:
        topics = set()
        for line in acls:
            if f"User:{user} " in line + " " and f"--operation {operation}" in line:
                topics |= set(re.findall(r"--topic (\S+)", line))
        return topics

    assert grants("svc-notifications", "Read") >= {CONTACTS_TOPIC}
    readers = [f"svc-{s}" for s in SERVICES if s != "notifications"]
    for user in readers:
        assert CONTACTS_TOPIC not in grants(user, "Read"), user
    # Partners come from the registry (hub partners sync-kafka, tests/integration/test_partner_kafka_access.py):
    # kafka-init makes no partner user and no partner ACL, so a start cannot undo a revocation.
    assert not [line for line in calls.read_text().splitlines() if "partner-" in line]
    users = re.findall(r"--entity-name (\S+)", calls.read_text())
    assert sorted(users) == sorted(["admin", *(f"svc-{s}" for s in SERVICES)])
    assert grants("svc-issues", "Write") == {"hub.issues.events", "hub.issues.dlt", CONTACTS_TOPIC, PRIVACY_TOPIC}
    # Participation asks the assets service for forum rooms on its inbound topic; no other service writes there.
    assert grants("svc-participation", "Write") == {
        "hub.participation.events",
        "hub.participation.dlt",
        "hub.assets.inbound",
        CONTACTS_TOPIC,
        PRIVACY_TOPIC,
    }
    for service in SERVICES:
        if service not in ("participation", "assets"):
            assert "hub.assets.inbound" not in grants(f"svc-{service}", "Write"), service
    for service in ANSWER_TYPES:  # the services that answer privacy requests; identity holds no residents' data
        assert PRIVACY_TOPIC in grants(f"svc-{service}", "Read"), service
    assert grants("svc-identity", "Read") == set()
    assert grants("svc-identity", "Write") == {"hub.identity.events", "hub.identity.dlt"}
    topics_created = [line for line in calls.read_text().splitlines() if line.startswith("kafka-topics.sh")]
    assert len(topics_created) == len(all_topics())


def test_the_web_app_sits_behind_the_gateway_at_the_root_and_calls_the_apis_through_it() -> None:
    from hub_web.settings import WebSettings

    web = COMPOSE["services"]["web"]
    assert web["build"] == {"context": ".", "args": {"APP": "web", "PORT": "8080"}} and "ports" not in web
    assert set(web["environment"]) <= web_settings_fields(), "compose sets a variable the web app does not read"
    # The services the web app has pages for, each through the gateway.
    called = [s for s in SERVICES if f"{s}_url" in WebSettings.model_fields]
    assert {"volunteers", "issues", "assets", "notifications", "participation"} <= set(called)
    for service in called:
        assert web["environment"][f"HUB_WEB_{service.upper()}_URL"] == f"http://gateway:8080/{service}"
    port = WebSettings.model_fields["http_port"].default
    assert web["environment"]["HUB_WEB_HTTP_PORT"] == str(port)
    assert f"127.0.0.1:{port}/health/live" in " ".join(web["healthcheck"]["test"])
    assert COMPOSE["services"]["gateway"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert re.search(rf"handle \{{\s+reverse_proxy \{{\s+dynamic a web {port} ", CADDY)
    assert web["environment"]["HUB_WEB_COOKIE_SECURE"] == "true" and "command" not in web


def test_the_image_copies_every_workspace_member_so_the_lock_file_resolves() -> None:
    for member in ("libs", "services", "cli", "web"):
        assert f"COPY {member} {member}" in DOCKERFILE
