"""The authorisation matrix, built from every service's own routes.

Every write route (POST, PUT, PATCH, DELETE) must need a signed-in caller, except the few listed
in ``OPEN_TO_ANONYMOUS`` on purpose (a resident reporting a problem without an account, a volunteer asking
for a sign-in link).
Anonymous calls to every other write route are refused with 401 before anything runs, and routes
limited to some roles refuse a resident with 403.

A ward councillor is not hub staff: every staff write refuses one with 403 even for the hub they
represent (the councillor's token names the hub the paths below name), and elsewhere they get what
a resident gets; the only writes that admit them by role are the councillors' own (``COUNCILLOR_WRITES``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi.routing import APIRoute

from hub_common.app import create_app
from hub_common.contracts.topics import SERVICES
from hub_testkit.issuer import test_key_ring
from hub_testkit.tokens import issue_token

pytestmark = pytest.mark.integration

WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# (service, method, path): each a deliberate decision, with the reason.
OPEN_TO_ANONYMOUS = {
    # A resident reports without an account, leaving contact details (validated, rate of abuse
    # limited by idempotency and moderation); Open311 checks its own api_key per the spec.
    ("issues", "POST", "/v1/issues"),
    ("issues", "POST", "/open311/v2/requests.{fmt}"),
    # A volunteer without a session asks for a sign-in link by email: the answer is the same whether
    # or not the address volunteers here, and one address gets one email per two minutes.
    ("volunteers", "POST", "/v1/volunteers/sign-in-links"),
    # A resident asks for a link that signs them in by their email address (to vote once): the
    # answer is the same whatever the address, and an address gets at most three links an hour.
    ("participation", "POST", "/v1/sign-in-links"),
    # Anyone may ask about the data held under an email address: the answer is the same whether or
    # not it is known, the address's owner confirms by the link emailed to it, and asks are limited
    # per address and per client.
    ("notifications", "POST", "/v1/privacy/self-requests"),
    # The OAuth token endpoint: its callers are clients that authenticate with their own credentials
    # in the request (RFC 6749 §2.3), not with a bearer token; it refuses them in OAuth's terms.
    ("identity", "POST", "/oauth/token"),
}


# (service, method, path): what a councillor, and only a councillor (and operators where said), may write.
COUNCILLOR_WRITES = {
    ("participation", "POST", "/v1/ideas/{idea_id}/councillor-comments"),
    ("notifications", "PUT", "/v1/hubs/{hub_id}/councillor-alerts/me"),
    ("notifications", "DELETE", "/v1/hubs/{hub_id}/councillor-alerts/me"),
}
COUNCILLOR_HUB = "x-unknown"  # the hub every concrete path names: a councillor's own


def write_routes(routes) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            if set(route.methods) & WRITES:
                yield route
        elif hasattr(route, "original_router"):  # FastAPI's wrapper of an included router
            yield from write_routes(route.original_router.routes)


def dependency_names(dependant) -> set[str]:
    names = set()
    for dep in dependant.dependencies:
        names.add(getattr(dep.call, "__name__", ""))
        names |= dependency_names(dep)
    return names


def concrete(path: str) -> str:
    """A path with every parameter filled in (ids that do not exist: auth must refuse first)."""
    return re.sub(r"\{[^}]+\}", lambda m: "json" if m.group(0) == "{fmt}" else "x-unknown", path)


def definition(service: str):
    return importlib.import_module(f"hub_{service}.__main__").DEFINITION


def test_the_anonymous_list_names_only_routes_that_exist_and_are_open() -> None:
    for service, method, path in OPEN_TO_ANONYMOUS:
        [route] = [r for r in write_routes(create_app(definition(service)).routes) if r.path == path]
        names = dependency_names(route.dependant)
        assert method in route.methods
        assert "current_principal" not in names and not any(n.startswith("require_") for n in names)


def test_the_councillor_list_names_only_routes_that_exist_and_admit_councillors_by_role() -> None:
    for service, method, path in COUNCILLOR_WRITES:
        routes = write_routes(create_app(definition(service)).routes)
        [route] = [r for r in routes if r.path == path and method in r.methods]
        assert "require_councillor" in dependency_names(route.dependant)


@pytest.mark.parametrize("service", SERVICES)
def test_every_write_route_needs_a_signed_in_caller_unless_deliberately_open(service: str) -> None:
    app = create_app(definition(service))
    unguarded = []
    for route in write_routes(app.routes):
        names = dependency_names(route.dependant)
        guarded = "current_principal" in names or any(n.startswith("require_") for n in names)
        for method in set(route.methods) & WRITES:
            if not guarded and (service, method, route.path) not in OPEN_TO_ANONYMOUS:
                unguarded.append(f"{method} {route.path}")
    assert unguarded == [], f"{service}: write routes open to anonymous callers: {unguarded}"


@pytest.mark.parametrize("service", SERVICES)
async def test_anonymous_and_wrong_role_callers_are_refused_before_anything_runs(service, make_settings) -> None:
    settings = make_settings(definition(service).settings_class)
    app = create_app(definition(service), settings)
    if service == "identity":  # it trusts its own key ring only: give it the test kit's key
        await app.state.ctx.db["key_ring"].insert_one(test_key_ring(settings))
    resident = issue_token(sub="just-a-resident", role="resident")
    councillor = issue_token(sub="a-councillor", role="councillor", hubs=[COUNCILLOR_HUB])
    checked = 0
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            for route in write_routes(app.routes):
                names = dependency_names(route.dependant)
                for method in set(route.methods) & WRITES:
                    if (service, method, route.path) in OPEN_TO_ANONYMOUS:
                        continue
                    url = concrete(route.path)
                    anonymous = await client.request(method, url, json={})
                    assert anonymous.status_code == 401, f"{method} {route.path}: {anonymous.status_code}"
                    assert anonymous.headers["content-type"] == "application/problem+json"
                    roles = [n for n in names if n.startswith("require_")]
                    as_resident = await client.request(
                        method, url, json={}, headers={"Authorization": f"Bearer {resident}"}
                    )
                    if roles and not any("resident" in n for n in roles):
                        assert as_resident.status_code == 403, f"{method} {route.path}: {as_resident.status_code}"
                    as_councillor = await client.request(
                        method, url, json={}, headers={"Authorization": f"Bearer {councillor}"}
                    )
                    where = f"{method} {route.path}: councillor {as_councillor.status_code}"
                    if (service, method, route.path) in COUNCILLOR_WRITES:
                        assert any("councillor" in n for n in roles), where  # refused by role to the rest
                        assert as_councillor.status_code != 403, where
                    elif roles and not any("councillor" in n for n in roles):
                        # Every role-limited route (staff's, partners', residents' own) refuses a councillor.
                        assert as_councillor.status_code == 403, where
                        assert as_councillor.headers["content-type"] == "application/problem+json", where
                    else:  # open to anyone signed in: a councillor fares as a resident does
                        assert as_councillor.status_code == as_resident.status_code, where
                    checked += 1
    assert checked > 0
