"""Auth tokens and principals, ETags, cursors, trace context and settings defaults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import httpx
import jwt
import pytest
from bson import ObjectId
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from hub_assets.settings import AssetsSettings
from hub_common.auth import CLOCK_SKEW_S, DEFAULT_AUDIENCE, ROLES, Principal, TokenVerifier
from hub_common.concurrency import check_version, etag_for, expected_version
from hub_common.errors import Forbidden, PreconditionFailed, ProblemError, ServiceUnavailable, Unauthorized
from hub_common.pagination import InvalidCursor, _after, decode_cursor, encode_cursor
from hub_common.settings import DEV_ISSUER, HubSettings
from hub_common.tracing import TraceContext, new_trace, parse_traceparent
from hub_identity.settings import IdentitySettings
from hub_issues.settings import IssuesSettings
from hub_notifications.settings import NotificationsSettings
from hub_participation.settings import ParticipationSettings
from hub_volunteers.settings import VolunteersSettings

ISSUER = DEV_ISSUER
KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = ec.generate_private_key(ec.SECP256R1())
KID = "key-1"


def jwk(key, kid: str = KID) -> dict:
    return {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "ES256", "use": "sig"}


def soon() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1)


def claims(**changes) -> dict:
    body = {"sub": "u", "role": "staff", "hubs": [], "iss": ISSUER, "aud": DEFAULT_AUDIENCE, "exp": soon()}
    return {k: v for k, v in {**body, **changes}.items() if v is not ...}


def signed(body: dict, key=KEY, kid: str | None = KID, alg: str = "ES256") -> str:
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid} if kid else {})


class Jwks:
    """A key source as the issuer's JWKS endpoint is one: the keys it publishes now, and how often asked."""

    def __init__(self, *keys: dict) -> None:
        self.keys, self.fetches = list(keys), 0

    async def __call__(self) -> dict:
        self.fetches += 1
        return {"keys": self.keys}


def verifier(jwks: Jwks | None = None, **options) -> TokenVerifier:
    return TokenVerifier(jwks or Jwks(jwk(KEY)), issuer=ISSUER, min_refetch_s=0, **options)


# --- tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
async def test_a_token_from_the_issuer_verifies_to_its_principal(role: str) -> None:
    token = signed(claims(role=role, hubs=["hub-a", "hub-b"], client_id="hub-web"))
    principal = await verifier().verify(token)
    assert principal == Principal(sub="u", role=role, hubs=("hub-a", "hub-b"), client_id="hub-web")


def test_roles_are_the_contract_roles() -> None:
    assert set(ROLES) == {"resident", "staff", "partner", "operator", "privacy", "councillor"}


async def test_token_expired_within_the_clock_skew_allowance_is_still_accepted() -> None:
    token = signed(claims(exp=datetime.now(UTC) - timedelta(seconds=CLOCK_SKEW_S - 10)))
    assert (await verifier().verify(token)).sub == "u"


def hs256_with_the_public_key() -> str:
    """The classic confusion: an HS256 token whose 'secret' is the issuer's published public key."""
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(claims(exp=int(soon().timestamp()))).encode()).rstrip(b"=")
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature.rstrip(b"=")).decode()


@pytest.mark.parametrize(
    ("token", "says"),
    [
        (lambda: signed(claims(exp=datetime.now(UTC) - timedelta(seconds=CLOCK_SKEW_S + 5))), "expired"),
        (lambda: signed(claims(nbf=datetime.now(UTC) + timedelta(minutes=10))), "not valid yet"),
        (lambda: signed(claims(aud="another-platform")), "another audience"),
        (lambda: signed(claims(aud=...)), "not valid"),
        (lambda: signed(claims(iss="https://idp.example.org")), "does not trust"),
        (lambda: signed(claims(iss=...)), "not valid"),
        (lambda: jwt.encode(claims(), None, algorithm="none", headers={"kid": KID}), "'none'"),
        (hs256_with_the_public_key, "'HS256'"),
        (lambda: signed(claims(), key=OTHER_KEY), "not valid"),
        (lambda: signed(claims(), kid="unknown-kid"), "does not publish"),
        (lambda: signed(claims(), kid=None), "names no signing key"),
        (lambda: "not-a-jwt", "not valid"),
        (lambda: "", "not valid"),
        (lambda: signed(claims(exp=...)), "not valid"),
        (lambda: signed(claims(sub=...)), "not valid"),
        (lambda: signed(claims(role=...)), "not valid"),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-audience",
        "no-audience",
        "wrong-issuer",
        "no-issuer",
        "alg-none",
        "hs256-with-public-key",
        "signed-by-another-key",
        "unknown-kid",
        "no-kid",
        "garbage",
        "empty",
        "no-exp",
        "no-sub",
        "no-role",
    ],
)
async def test_bad_tokens_are_refused_with_401(token, says: str) -> None:
    with pytest.raises(Unauthorized, match=says) as raised:
        await verifier().verify(token())
    assert raised.value.status == 401


async def test_tampered_token_is_unauthorized() -> None:
    token = signed(claims(role="resident"))
    header, _payload, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps(claims(role="operator", exp=int(soon().timestamp()))).encode())
    with pytest.raises(Unauthorized):
        await verifier().verify(f"{header}.{forged.decode().rstrip('=')}.{signature}")


@pytest.mark.parametrize("role", ["admin", "", "STAFF", ["staff"]])
async def test_unknown_role_claim_is_unauthorized(role) -> None:
    with pytest.raises(Unauthorized, match="unknown role"):
        await verifier().verify(signed(claims(role=role)))


@pytest.mark.parametrize("hubs", ["hub-a", ["hub-a", 7], {"hub": "a"}, None, 3])
async def test_hubs_claim_must_be_a_list_of_strings(hubs) -> None:
    with pytest.raises(Unauthorized, match="hubs"):
        await verifier().verify(signed(claims(hubs=hubs)))


async def test_missing_hubs_claim_means_no_hubs() -> None:
    assert (await verifier().verify(signed(claims(role="partner", hubs=...)))).hubs == ()


async def test_keys_are_cached_and_fetched_again_for_an_unknown_kid_as_a_rotation_needs() -> None:
    jwks = Jwks(jwk(KEY))
    checking = verifier(jwks)
    for _ in range(3):
        await checking.verify(signed(claims()))
    assert jwks.fetches == 1  # cached
    # The issuer rotates: its JWKS now holds the next key too, and tokens signed with it arrive.
    jwks.keys.append(jwk(OTHER_KEY, "key-2"))
    assert (await checking.verify(signed(claims(), key=OTHER_KEY, kid="key-2"))).sub == "u"
    assert jwks.fetches == 2
    assert (await checking.verify(signed(claims()))).sub == "u"  # the old key's tokens still pass
    assert jwks.fetches == 2


async def test_unknown_kids_do_not_make_the_verifier_hammer_the_issuer() -> None:
    jwks = Jwks(jwk(KEY))
    checking = TokenVerifier(jwks, issuer=ISSUER, min_refetch_s=60)
    await checking.verify(signed(claims()))
    for n in range(5):
        with pytest.raises(Unauthorized):
            await checking.verify(signed(claims(), kid=f"random-{n}"))
    assert jwks.fetches == 1


async def test_the_issuer_being_away_keeps_the_cached_keys_and_without_any_answers_503() -> None:
    jwks = Jwks(jwk(KEY))
    checking = verifier(jwks, refresh_s=0)
    await checking.verify(signed(claims()))

    async def away() -> dict:
        raise httpx.ConnectError("refused")

    checking.source = away
    assert (await checking.verify(signed(claims()))).sub == "u"  # stale keys rather than nobody signed in
    with pytest.raises(ServiceUnavailable):
        await TokenVerifier(away, issuer=ISSUER).verify(signed(claims()))


# --- principals -------------------------------------------------------------------------------


def test_operators_act_for_every_hub() -> None:
    operator = Principal(sub="op", role="operator")
    assert operator.can_act_for_hub("hub-a")
    assert operator.can_act_for_hub("any-hub")
    operator.require_hub("hub-z")


@pytest.mark.parametrize("role", ["staff", "partner"])
def test_staff_and_partners_act_only_for_their_hubs(role: str) -> None:
    principal = Principal(sub="s", role=role, hubs=("hub-a",))

    assert principal.can_act_for_hub("hub-a")
    assert not principal.can_act_for_hub("hub-b")
    assert not principal.can_act_for_hub("hub")  # no substring matching
    principal.require_hub("hub-a")
    with pytest.raises(Forbidden, match="hub-b") as raised:
        principal.require_hub("hub-b")
    assert raised.value.status == 403


def test_a_councillor_acts_as_a_councillor_for_their_hubs_and_is_never_staff() -> None:
    councillor = Principal(sub="c", role="councillor", hubs=("hub-a",))
    assert councillor.is_councillor_for("hub-a")
    assert not councillor.is_councillor_for("hub-b")
    councillor.require_councillor_for("hub-a")
    with pytest.raises(Forbidden, match="hub-b"):
        councillor.require_councillor_for("hub-b")
    assert not councillor.is_staff and not councillor.is_staff_for("hub-a")
    with pytest.raises(Forbidden):
        councillor.require_staff_for("hub-a")
    for other in ("staff", "operator", "resident"):  # no other role is a councillor, operators included
        principal = Principal(sub="x", role=other, hubs=("hub-a",))
        assert not principal.is_councillor_for("hub-a")
        with pytest.raises(Forbidden):
            principal.require_councillor_for("hub-a")


def test_require_role() -> None:
    staff = Principal(sub="s", role="staff")
    staff.require_role("staff")
    staff.require_role("operator", "staff")
    with pytest.raises(Forbidden, match="operator"):
        staff.require_role("operator")
    with pytest.raises(Forbidden):
        Principal(sub="r", role="resident").require_role("staff", "partner", "operator")


# --- optimistic concurrency -------------------------------------------------------------------


def test_etag_round_trip() -> None:
    assert etag_for(7) == '"v7"'
    assert expected_version(etag_for(7)) == 7
    assert expected_version(' W/"v12" ') == 12
    assert expected_version('"v0"') == 0


@pytest.mark.parametrize("value", [None, "*", " * "])
def test_no_or_any_if_match_expects_no_version(value: str | None) -> None:
    assert expected_version(value) is None


@pytest.mark.parametrize("value", ['"7"', "v7", '"v7', '"vx"', '"v-1"', "", '"v1", "v2"', 'w/"v1"'])
def test_if_match_this_service_never_issued_is_412(value: str) -> None:
    with pytest.raises(PreconditionFailed) as raised:
        expected_version(value)
    assert raised.value.status == 412


def test_check_version() -> None:
    check_version(None, 5)
    check_version(5, 5)
    with pytest.raises(PreconditionFailed) as raised:
        check_version(4, 5)
    assert raised.value.status == 412
    assert raised.value.extra == {"current_etag": '"v5"'}


# --- cursors ----------------------------------------------------------------------------------


def test_cursor_round_trip_of_plain_values() -> None:
    values = ["Ada Lovelace", 42, 3.5, None, True, ObjectId("65f1c0ffee0123456789abcd")]

    cursor = encode_cursor(values)

    assert "=" not in cursor
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(cursor, len(values)) == values


def test_cursor_round_trip_of_datetimes_keeps_the_instant() -> None:
    """BSON keeps milliseconds, so documents read back from MongoDB carry millisecond datetimes."""
    when = datetime(2025, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)

    [decoded, other] = decode_cursor(encode_cursor([when, "id-1"]), 2)

    assert other == "id-1"
    # json_util hands datetimes back naive (in UTC); PyMongo encodes naive datetimes as UTC, so the
    # keyset query compares the same instant.
    assert decoded.replace(tzinfo=decoded.tzinfo or UTC) == when


def test_cursor_of_the_wrong_length_is_refused() -> None:
    cursor = encode_cursor(["a", 1])
    with pytest.raises(InvalidCursor, match="does not fit"):
        decode_cursor(cursor, 3)


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "a",
        "not a cursor at all",
        "é",
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),  # JSON but not a list
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
        base64.urlsafe_b64encode(b'[{"$date": "garbage"}]').decode(),
    ],
)
def test_garbage_cursor_is_invalid_cursor_400(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as raised:
        decode_cursor(cursor, 1)
    assert raised.value.status == 400
    assert isinstance(raised.value, ProblemError)


@pytest.mark.parametrize(
    "payload", [b'[{"$oid": "zz"}]', b'[{"$numberDecimal": "abc"}]', b'[{"$timestamp": {"t": "a"}}]']
)
def test_tampered_extended_json_cursor_is_invalid_cursor(payload: bytes) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(base64.urlsafe_b64encode(payload).decode(), 1)


def test_keyset_condition_for_a_single_field() -> None:
    assert _after([("_id", 1)], ["x"]) == {"$or": [{"_id": {"$gt": "x"}}]}
    assert _after([("_id", -1)], ["x"]) == {"$or": [{"_id": {"$lt": "x"}}]}


def test_keyset_condition_for_a_compound_sort() -> None:
    sort = [("hub_id", 1), ("created_at", -1), ("_id", 1)]
    when = datetime(2025, 1, 1, tzinfo=UTC)

    condition = _after(sort, ["hub-a", when, "id-9"])

    assert condition == {
        "$or": [
            {"hub_id": {"$gt": "hub-a"}},
            {"hub_id": "hub-a", "created_at": {"$lt": when}},
            {"hub_id": "hub-a", "created_at": when, "_id": {"$gt": "id-9"}},
        ]
    }


# --- trace context ----------------------------------------------------------------------------

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN_ID = "00f067aa0ba902b7"


def test_parse_a_valid_traceparent() -> None:
    trace = parse_traceparent(f"00-{TRACE_ID}-{SPAN_ID}-01")

    assert trace == TraceContext(TRACE_ID, SPAN_ID, "01")
    assert trace.traceparent == f"00-{TRACE_ID}-{SPAN_ID}-01"


def test_parse_is_lenient_about_case_and_whitespace() -> None:
    trace = parse_traceparent(f"  00-{TRACE_ID.upper()}-{SPAN_ID.upper()}-00 ")
    assert trace == TraceContext(TRACE_ID, SPAN_ID, "00")


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        f"01-{TRACE_ID}-{SPAN_ID}",
        f"00-{TRACE_ID}-{SPAN_ID}",
        f"00-{TRACE_ID[:-1]}-{SPAN_ID}-01",
        f"00-{TRACE_ID}-{SPAN_ID}x-01",
        f"ff-{TRACE_ID}-{SPAN_ID}-01",
        f"00-{'g' * 32}-{SPAN_ID}-01",
        f"00-{'0' * 32}-{SPAN_ID}-01",
        f"00-{TRACE_ID}-{'0' * 16}-01",
    ],
    ids=[
        "none",
        "empty",
        "garbage",
        "no-flags-v1",
        "no-flags",
        "short-trace",
        "long-span",
        "version-ff",
        "not-hex",
        "zero-trace",
        "zero-span",
    ],
)
def test_invalid_traceparents_are_ignored(value: str | None) -> None:
    assert parse_traceparent(value) is None


def test_child_keeps_the_trace_and_gets_a_new_span() -> None:
    parent = new_trace()
    child = parent.child()

    assert len(parent.trace_id) == 32
    assert len(parent.span_id) == 16
    assert child.trace_id == parent.trace_id
    assert child.span_id != parent.span_id
    assert parse_traceparent(child.traceparent) == child
    assert new_trace().trace_id != parent.trace_id


# --- settings ---------------------------------------------------------------------------------

SERVICES = [
    (VolunteersSettings, "volunteers", 8001),
    (IssuesSettings, "issues", 8002),
    (AssetsSettings, "assets", 8003),
    (NotificationsSettings, "notifications", 8004),
    (ParticipationSettings, "participation", 8005),
    (IdentitySettings, "identity", 8006),
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No HUB_* variables from the caller's shell leak into the defaults under test."""
    import os

    for name in list(os.environ):
        if name.startswith("HUB_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize(("settings_class", "name", "port"), SERVICES, ids=[s[1] for s in SERVICES])
def test_service_settings_defaults(clean_env, settings_class: type[HubSettings], name: str, port: int) -> None:
    settings = settings_class()

    assert settings.service_name == name
    assert settings.http_port == port
    assert settings.mongo_db == f"hub_{name}"
    assert settings.consumer_group == f"hub-{name}"
    assert settings.source == f"/hub/{name}"
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.mongo_uri == "mongodb://127.0.0.1:27017"
    assert settings.environment == "development"
    assert settings.log_format == "json"


def test_env_vars_are_honoured(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HUB_HTTP_PORT", "9123")
    clean_env.setenv("HUB_MONGO_DB", "custom_db")
    clean_env.setenv("HUB_KAFKA_BOOTSTRAP_SERVERS", "kafka:29092")
    clean_env.setenv("HUB_MONGO_URI", "mongodb://db:27017/?replicaSet=rs0")
    clean_env.setenv("HUB_LOG_FORMAT", "console")
    clean_env.setenv("HUB_AUTH_ISSUER", "https://issuer.example.org")
    clean_env.setenv("HUB_CONSUMER_GROUP", "hub-issues-shadow")

    settings = IssuesSettings()

    assert settings.http_port == 9123
    assert settings.mongo_db == "custom_db"
    assert settings.kafka_bootstrap_servers == "kafka:29092"
    assert settings.mongo_uri == "mongodb://db:27017/?replicaSet=rs0"
    assert settings.log_format == "console"
    assert settings.auth_issuer == "https://issuer.example.org"
    assert settings.consumer_group == "hub-issues-shadow"


def test_notifications_specific_env_vars(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HUB_SMTP_HOST", "mail.example.org")
    clean_env.setenv("HUB_SMTP_PORT", "2525")
    clean_env.setenv("HUB_SMTP_FROM", "Hub <hub@example.org>")
    clean_env.setenv("HUB_WEBHOOK_ALLOW_PRIVATE", "true")

    settings = NotificationsSettings()

    assert (settings.smtp_host, settings.smtp_port, settings.smtp_from) == (
        "mail.example.org",
        2525,
        "Hub <hub@example.org>",
    )
    assert settings.webhook_allow_private is True


def test_invalid_env_value_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HUB_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError):
        VolunteersSettings()


def test_production_with_the_development_issuer_refuses_to_start(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="HUB_AUTH_ISSUER"):
        VolunteersSettings(environment="production")
    clean_env.setenv("HUB_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="HUB_AUTH_ISSUER"):
        AssetsSettings()


def test_production_with_its_own_issuer_starts(clean_env: pytest.MonkeyPatch) -> None:
    settings = VolunteersSettings(environment="production", auth_issuer="https://issuer.council.example")
    assert settings.environment == "production"


def test_production_identity_and_notifications_refuse_development_secrets(clean_env: pytest.MonkeyPatch) -> None:
    from hub_identity.settings import IdentitySettings

    issuer = "https://issuer.council.example"
    with pytest.raises(ValidationError, match="HUB_SIGNING_KEY_ENCRYPTION_KEY"):
        IdentitySettings(environment="production", auth_issuer=issuer)
    with pytest.raises(ValidationError, match="HUB_PRIVACY_HASH_KEY"):
        NotificationsSettings(environment="production", auth_issuer=issuer)
    with pytest.raises(ValidationError, match="HUB_WEBHOOK_SECRET_KEY"):
        NotificationsSettings(environment="production", auth_issuer=issuer, privacy_hash_key="a-private-key-0123456789")


def test_a_new_service_gets_its_defaults_from_its_name(clean_env) -> None:
    class ExampleSettings(HubSettings):
        service_name: ClassVar[str] = "example"
        default_http_port: ClassVar[int] = 8099

    settings = ExampleSettings()
    assert (settings.http_port, settings.mongo_db, settings.consumer_group) == (8099, "hub_example", "hub-example")


def test_kafka_settings_give_sasl_options_only_when_a_mechanism_is_set() -> None:
    from hub_common.settings import HubSettings

    plain = HubSettings(kafka_bootstrap_servers="k:9092").kafka.options()
    assert plain == {"bootstrap_servers": "k:9092", "security_protocol": "PLAINTEXT"}
    scram = HubSettings(
        kafka_bootstrap_servers="k:9094",
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_username="svc-issues",
        kafka_password="s3cret",
    ).kafka.options()
    assert scram["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (scram["sasl_plain_username"], scram["sasl_plain_password"]) == ("svc-issues", "s3cret")
    assert scram["security_protocol"] == "SASL_PLAINTEXT"
