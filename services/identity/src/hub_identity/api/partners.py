"""``/v1/partners``: the partner registry (operators)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import IfMatch, Paging, set_etag
from hub_common.pagination import Page
from hub_identity.api.deps import Operator, Partners
from hub_identity.api.schemas import (
    GrantChangeIn,
    PartnerIn,
    PartnerOut,
    PartnerWithSecretOut,
    partner_view,
    with_secret,
)

router = APIRouter(prefix="/v1/partners", tags=["partners"])


@router.post("", status_code=201, summary="Operators: register a partner; its client secret is shown once")
async def add_partner(
    body: PartnerIn, response: Response, caller: Operator, partners: Partners
) -> PartnerWithSecretOut:
    added = await partners.add(caller, body.id, body.organisation, body.contacts, body.grants())
    response.headers["Location"] = f"/v1/partners/{added.partner.id}"
    response.headers["Cache-Control"] = "no-store"
    set_etag(response, added.partner.version)
    return with_secret(added.partner, added.client_secret)


@router.get("", summary="Operators: the registry, by partner id")
async def list_partners(caller: Operator, paging: Paging, partners: Partners) -> Page[PartnerOut]:
    found, cursor = await partners.listed(caller, paging.limit, paging.cursor)
    return Page[PartnerOut](items=[partner_view(p) for p in found], next_cursor=cursor)


@router.get("/{partner_id}", summary="Operators: one partner and its grants")
async def get_partner(partner_id: str, response: Response, caller: Operator, partners: Partners) -> PartnerOut:
    partner = await partners.get(caller, partner_id)
    set_etag(response, partner.version)
    return partner_view(partner)


@router.post("/{partner_id}/grants", summary="Operators: grant or withdraw hubs and event types")
async def change_grants(
    partner_id: str, body: GrantChangeIn, response: Response, caller: Operator, expected: IfMatch, partners: Partners
) -> PartnerOut:
    partner = await partners.change_grants(
        caller, partner_id, add=body.add.grants(), remove=body.remove.grants(), expected=expected
    )
    set_etag(response, partner.version)
    return partner_view(partner)


@router.post("/{partner_id}/revoke", summary="Operators: revoke a partner (no more tokens, no grants)")
async def revoke_partner(partner_id: str, response: Response, caller: Operator, partners: Partners) -> PartnerOut:
    partner = await partners.revoke(caller, partner_id)
    set_etag(response, partner.version)
    return partner_view(partner)


@router.post("/{partner_id}/secret", summary="Operators: a new client secret, shown once (the old one stops)")
async def rotate_secret(
    partner_id: str, response: Response, caller: Operator, partners: Partners
) -> PartnerWithSecretOut:
    rotated = await partners.rotate_secret(caller, partner_id)
    response.headers["Cache-Control"] = "no-store"
    set_etag(response, rotated.partner.version)
    return with_secret(rotated.partner, rotated.client_secret)
