"""Schemathesis against every service's OpenAPI document, on real API processes.

Each service runs as ``python -m hub_<service> --role api`` on the test infrastructure, with its
demo data, and is called as an operator (who may act everywhere), so generated requests get past
authentication. Checked: no 5xx, and every response matches the schema the service publishes.
Bounded to a few examples per operation so CI stays fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub_common.contracts.topics import SERVICES
from hub_testkit.processes import free_port, wait_ready
from hub_testkit.tokens import TEST_JWKS, issue_token

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = int(os.environ.get("HUB_FUZZ_EXAMPLES", "5"))


@pytest.mark.parametrize("service", SERVICES)
def test_no_server_errors_and_responses_match_the_published_schema(service: str, infra, tmp_path) -> None:
    port = free_port()
    log = tmp_path / f"{service}.log"
    env = {
        **os.environ,
        "HUB_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "HUB_MONGO_URI": infra.mongo_uri,
        "HUB_MONGO_DB": f"t_fuzz_{service}_{tmp_path.name[-12:]}",
        "HUB_HTTP_PORT": str(port),
        "HUB_DEMO_DATA": "true",  # something to find, so not every generated id is a 404
        "HUB_LOG_LEVEL": "WARNING",
        "HUB_AUTH_JWKS": TEST_JWKS,  # so the test kit's operator token below is accepted
    }
    operator = issue_token(sub="fuzz-operator", role="operator")
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - our own module, with our own interpreter
            [sys.executable, "-m", f"hub_{service}", "--role", "api"], env=env, stdout=out, stderr=out
        )
    try:
        wait_ready(f"http://127.0.0.1:{port}/health/ready", server, log, timeout_s=60)
        # Schemathesis' command line (its pytest plugin does not support pytest 9 yet).
        run = subprocess.run(  # noqa: S603
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"http://127.0.0.1:{port}/openapi.json",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--phases",
                "examples,fuzzing",
                "--generation-deterministic",
                "--header",
                f"Authorization: Bearer {operator}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert run.returncode == 0, f"{run.stdout[-6000:]}\n--- server log ---\n{log.read_text()[-3000:]}"
    assert " passed" in run.stdout
