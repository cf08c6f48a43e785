"""The key ring: the issuer's signing keys, which one signs now, and which are published.

All keys live in one small document (a ring holds two or three), so a rotation is one atomic,
versioned write however many issuer replicas run. Which key signs is a function of time, not a
state someone must remember to flip: the newest key whose ``activates_at`` has passed. A rotation
adds a key that activates ``publish_ahead`` later (verifiers fetch it meanwhile) and gives the key
it replaces a removal time after the last token that key could sign has expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from hub_common.errors import Conflict


class SigningKey(BaseModel):
    kid: str
    public_jwk: dict[str, Any]
    private_key: str | None  # encrypted PEM; dropped once the key no longer signs
    created_at: datetime
    activates_at: datetime
    removes_at: datetime | None = None  # when it leaves the JWKS (tokens it signed have expired)


class KeyRing(BaseModel):
    id: str = "ring"
    keys: list[SigningKey] = Field(default_factory=list)
    version: int = 1

    def signing(self, now: datetime) -> SigningKey | None:
        """The key that signs at ``now``: the newest active one still holding its private half."""
        active = [k for k in self.keys if k.activates_at <= now and k.private_key and not _removed(k, now)]
        return max(active, key=lambda k: k.activates_at, default=None)

    def published(self, now: datetime) -> list[SigningKey]:
        """Every key a token may be verified with at ``now``: the next one, the signing one, and the
        ones retired less than a token's lifetime ago."""
        return [k for k in self.keys if not _removed(k, now)]

    def pending(self, now: datetime) -> SigningKey | None:
        return next((k for k in self.keys if k.activates_at > now), None)

    def rotated(self, new: SigningKey, *, now: datetime, longest_token: timedelta, immediately: bool) -> KeyRing:
        """The ring with ``new`` added. Planned: ``new`` activates when its own ``activates_at`` says,
        and the key it replaces stays published until every token it signs by then has expired.
        Immediately (a key thought compromised): ``new`` signs now and the old keys leave the JWKS now,
        so every token they signed stops working."""
        if self.pending(now) is not None and not immediately:
            raise Conflict("a rotation is already under way: the next key is published and not yet signing")
        keys: list[SigningKey] = []
        for key in self.keys:
            if _removed(key, now):
                continue
            if immediately:
                continue
            removes_at = new.activates_at + longest_token
            keys.append(key.model_copy(update={"removes_at": min(key.removes_at or removes_at, removes_at)}))
        return self.model_copy(update={"keys": [*keys, new], "version": self.version + 1})

    def tidied(self, now: datetime) -> KeyRing | None:
        """The ring without keys past their removal, and without the private half of keys that can no
        longer sign; None when there is nothing to tidy."""
        signing = self.signing(now)
        keys = [
            k
            if k.private_key is None or k is signing or k.activates_at > now
            else k.model_copy(update={"private_key": None})
            for k in self.keys
            if not _removed(k, now)
        ]
        if keys == self.keys:
            return None
        return self.model_copy(update={"keys": keys, "version": self.version + 1})


def _removed(key: SigningKey, now: datetime) -> bool:
    return key.removes_at is not None and key.removes_at <= now
