"""The composition root of the identity service: every object built once per process."""

from __future__ import annotations

from datetime import timedelta

from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext
from hub_identity.adapters.keys import KeyRingRepository, KeyVault
from hub_identity.adapters.partners import PartnerRepository
from hub_identity.domain.clients import platform_clients
from hub_identity.service import UseCases
from hub_identity.service.keys import KeyService
from hub_identity.service.partners import PartnerService
from hub_identity.service.tokens import TokenService
from hub_identity.settings import IdentitySettings

TIDY_KEYS_EVERY_S = 60.0


def bootstrap(ctx: ServiceContext[IdentitySettings]) -> Components:
    settings, clock, uow = ctx.settings, ctx.clock, ctx.uow
    partners = PartnerRepository(ctx.db)
    clients = platform_clients(settings.issuer_clients.get_secret_value())
    longest = max(
        [settings.partner_token_ttl_s, settings.default_token_ttl_s, *(c.max_ttl_s for c in clients.values())]
    )
    keys = KeyService(
        uow,
        KeyRingRepository(ctx.db),
        KeyVault(settings.signing_key_encryption_key.get_secret_value()),
        clock=clock,
        publish_ahead=timedelta(seconds=settings.key_publish_ahead_s),
        longest_token=timedelta(seconds=longest),
    )
    tokens = TokenService(
        keys,
        partners,
        clients,
        clock=clock,
        issuer=settings.auth_issuer.rstrip("/"),
        audience=settings.auth_audience,
        partner_ttl_s=settings.partner_token_ttl_s,
        default_ttl_s=settings.default_token_ttl_s,
    )
    use_cases = UseCases(keys=keys, tokens=tokens, partners=PartnerService(uow, partners, clock=clock))
    return Components(
        use_cases=use_cases,
        periodic=(PeriodicTask("tidy-signing-keys", TIDY_KEYS_EVERY_S, keys.tidy),),
        # The issuer checks its own admin API's tokens against its key ring, not over HTTP to itself.
        key_source=keys.jwks,
    )
