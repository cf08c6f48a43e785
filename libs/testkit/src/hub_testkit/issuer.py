"""The test session's token issuer: the real identity service, served over HTTP from a thread.

Notifications asks it for the tokens of the sign-in links it emails, the web app for its sessions'
tokens, as they ask the real issuer under ``make run``. It signs with the test kit's key
(:mod:`hub_testkit.tokens`), imported into its key ring before it starts, so its tokens and the
test kit's verify alike against the JWKS every service under test is given. Key rotation is tested
on identity services of their own (services/identity/tests, tests/integration).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pymongo
import uvicorn

from hub_common.app import create_app
from hub_common.settings import DEV_ISSUER
from hub_testkit.processes import free_port
from hub_testkit.tokens import TEST_JWKS, TEST_KID, TEST_PRIVATE_PEM, TEST_PUBLIC_JWK


def test_key_ring(settings) -> dict:
    """The identity service's key ring document holding the test kit's key alone (sealed with the
    settings' key-encryption key): an issuer started on it signs as the test kit does."""
    from hub_common.repository import to_document
    from hub_identity.adapters.keys import KeyVault
    from hub_identity.domain.keys import KeyRing, SigningKey

    now = datetime.now(UTC) - timedelta(minutes=1)
    key = SigningKey(
        kid=TEST_KID,
        public_jwk=TEST_PUBLIC_JWK,
        private_key=KeyVault(settings.signing_key_encryption_key.get_secret_value()).seal(TEST_PRIVATE_PEM),
        created_at=now,
        activates_at=now,
    )
    return to_document(KeyRing(keys=[key]))


test_key_ring.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@contextlib.contextmanager
def running_issuer(kafka_bootstrap_servers: str, mongo_uri: str, *, port: int | None = None) -> Iterator[str]:
    """An issuer for as long as the block lasts (on ``port`` if given: one stopped and started
    again on the same port is an issuer's outage, as its clients see it)."""
    from hub_identity.__main__ import DEFINITION
    from hub_identity.settings import IdentitySettings

    port = port or free_port()
    settings = IdentitySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        mongo_uri=mongo_uri,
        mongo_db=f"t_identity_issuer_{uuid.uuid4().hex[:8]}",
        http_port=port,
        auth_issuer=DEV_ISSUER,
        auth_jwks=TEST_JWKS,
        environment="test",
        log_format="console",
        log_level="WARNING",
    )
    with pymongo.MongoClient(mongo_uri) as client:
        client[settings.mongo_db]["key_ring"].insert_one(test_key_ring(settings))
    server = uvicorn.Server(
        uvicorn.Config(create_app(DEFINITION, settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="test-issuer", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test issuer did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        with pymongo.MongoClient(mongo_uri) as client:
            client.drop_database(settings.mongo_db)
