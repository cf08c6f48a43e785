"""Use cases of the identity service, one module per sub-domain; the composition root builds each once."""

from __future__ import annotations

from dataclasses import dataclass

from hub_identity.service.keys import KeyService
from hub_identity.service.partners import PartnerService
from hub_identity.service.tokens import TokenService


@dataclass(frozen=True)
class UseCases:
    keys: KeyService
    tokens: TokenService
    partners: PartnerService
