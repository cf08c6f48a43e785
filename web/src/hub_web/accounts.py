"""Staff accounts from configuration, with scrypt password hashes.

Staff normally sign in through the council's OpenID provider (hub_web.oidc); these are the demo
accounts of development and any accounts a deployment configures beside it (see web/README.md).
``python -m hub_web.accounts hash`` prints a hash for ``HUB_WEB_STAFF_ACCOUNTS``.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import secrets
import sys
from dataclasses import dataclass
from typing import Literal

from hub_common.auth import COUNCILLOR, PRIVACY_ROLES, STAFF_ROLES
from hub_common.demo import DEMO_COUNCILLORS, HUBS

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# hub staff, operators, the privacy team, ward councillors (their hubs: the wards they represent)
ACCOUNT_ROLES = frozenset({*STAFF_ROLES, *PRIVACY_ROLES, COUNCILLOR})


@dataclass(frozen=True)
class StaffAccount:
    username: str
    name: str
    role: Literal["staff", "operator", "privacy", "councillor"]
    hubs: tuple[str, ...]
    password_hash: str


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Documented in web/README.md for `make run` (HUB_WEB_DEMO_ACCOUNTS=true); refused in production.
DEMO_PASSWORD = "demo-password"  # noqa: S105 - a published demo credential, development only


def demo_accounts() -> list[StaffAccount]:
    accounts = []
    for hub in HUBS:
        short = hub["id"].removeprefix("hub-")
        accounts.append(
            StaffAccount(short, f"{hub['name']} staff", "staff", (hub["id"],), hash_password(DEMO_PASSWORD))
        )
    for hub_id, (username, name) in DEMO_COUNCILLORS.items():  # their comments are shown by the name
        accounts.append(StaffAccount(username, name, COUNCILLOR, (hub_id,), hash_password(DEMO_PASSWORD)))
    accounts.append(StaffAccount("privacy", "Data protection officer", "privacy", (), hash_password(DEMO_PASSWORD)))
    return accounts


def parse_accounts(raw: str) -> list[StaffAccount]:
    """``HUB_WEB_STAFF_ACCOUNTS``: a JSON list of accounts; a clear error for anything malformed."""
    try:
        items = json.loads(raw or "[]")
    except json.JSONDecodeError as exc:
        raise ValueError(f"HUB_WEB_STAFF_ACCOUNTS is not JSON: {exc}") from None
    if not isinstance(items, list):
        raise ValueError("HUB_WEB_STAFF_ACCOUNTS must be a JSON list")
    accounts = []
    for item in items:
        try:
            role = item.get("role", "staff")
            if role not in ACCOUNT_ROLES:
                raise ValueError(f"role must be staff, operator, privacy or councillor, not {role!r}")
            if not str(item["password_hash"]).startswith("scrypt$"):
                raise ValueError("password_hash must come from `python -m hub_web.accounts hash`")
            accounts.append(
                StaffAccount(
                    username=str(item["username"]).strip().lower(),
                    name=str(item.get("name") or item["username"]),
                    role=role,
                    hubs=tuple(item.get("hubs", [])),
                    password_hash=str(item["password_hash"]),
                )
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"HUB_WEB_STAFF_ACCOUNTS entry {item!r}: {exc}") from None
    return accounts


class AccountBook:
    def __init__(self, accounts: list[StaffAccount]) -> None:
        self._by_name = {a.username: a for a in accounts}
        # Checked against when the username is unknown, so both cases take the same time.
        self._decoy = hash_password(secrets.token_urlsafe(16))

    def authenticate(self, username: str, password: str) -> StaffAccount | None:
        account = self._by_name.get(username.strip().lower())
        ok = verify_password(password, account.password_hash if account else self._decoy)
        return account if ok and account else None

    def __len__(self) -> int:
        return len(self._by_name)


def main(argv: list[str]) -> int:
    if argv[:1] != ["hash"]:
        print("usage: python -m hub_web.accounts hash   (reads the password from the terminal)", file=sys.stderr)
        return 2
    password = getpass.getpass("Password: ")
    if len(password) < 12:
        print("use at least 12 characters", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
