"""The FastAPI app factory: health, readiness, metrics, AsyncAPI, problem+json errors, request logs.

Every service's API is ``create_app(definition, settings)``; the service only adds routers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub_common import metrics
from hub_common.asyncapi import asyncapi_document
from hub_common.errors import ProblemError, TooManyRequests
from hub_common.http import Caller, Paging
from hub_common.kafka import kafka_reachable
from hub_common.logging import get_logger
from hub_common.mongo import is_transient_mongo_error
from hub_common.openapi import add_links
from hub_common.pagination import Page
from hub_common.service import ServiceContext, ServiceDefinition
from hub_common.settings import HubSettings
from hub_common.tracing import new_trace, parse_traceparent, reset_current_trace, set_current_trace
from hub_common.uow import IdempotencyConflict, IdempotentResultErased

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
READINESS_CACHE_S = 2.0


IDEMPOTENCY_PROBLEMS: dict[type[Exception], tuple[int, str, str, str]] = {
    IdempotencyConflict: (
        422,
        "Idempotency-Key reused",
        "this Idempotency-Key was already used for a different request; use a new key",
        "idempotency-key-reused",
    ),
    IdempotentResultErased: (
        410,
        "Result erased",
        "this request was done; its result was erased at the person's request, and it is not done again",
        "idempotent-result-erased",
    ),
}


def problem(
    status: int, title: str, detail: str, *, slug: str, instance: str | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": f"urn:hub:problem:{slug}", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


class Readiness:
    """Answers 'can this service do its work?' — MongoDB and Kafka both reachable (cached briefly)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._checked_at = 0.0
        self._result: dict[str, bool] = {}
        self._lock = asyncio.Lock()

    async def check(self) -> dict[str, bool]:
        async with self._lock:
            now = time.monotonic()
            if now - self._checked_at > READINESS_CACHE_S:
                mongo_ok, kafka_ok = await asyncio.gather(self._mongo(), kafka_reachable(self.ctx.settings.kafka))
                self._result = {"mongo": mongo_ok, "kafka": kafka_ok}
                self._checked_at = now
            return dict(self._result)

    async def _mongo(self) -> bool:
        try:
            await asyncio.wait_for(self.ctx.db.command("ping"), 2.0)
            return True
        except (PyMongoError, TimeoutError):
            return False


def _add_probes(app: FastAPI, readiness: Readiness) -> None:
    @app.get("/health/live", tags=["health"], summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"], summary="MongoDB and Kafka are reachable")
    async def ready() -> Response:
        checks = await readiness.check()
        ok = all(checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _add_access_audit(app: FastAPI, ctx: ServiceContext) -> None:
    @app.get(
        "/v1/audit/access",
        tags=["privacy"],
        summary="Who read people's details here, newest first (the privacy team and operators)",
    )
    async def access_audit(
        caller: Caller,
        page: Paging,
        person_id: Annotated[str | None, Query(max_length=128, description="reads of this person's details")] = None,
        reader: Annotated[str | None, Query(max_length=128, description="reads by this person")] = None,
    ) -> Page[dict[str, Any]]:
        items, next_cursor = await ctx.audit.entries(
            caller, person_id=person_id, reader=reader, limit=page.limit, cursor=page.cursor
        )
        return Page(items=items, next_cursor=next_cursor)


def create_probe_app(ctx: ServiceContext) -> FastAPI:
    """A worker's operational endpoints only (health, readiness, metrics: outbox age, consumer lag,
    handler failures live in the worker), served when HUB_WORKER_HTTP_PORT is set."""
    app = FastAPI(title=f"{ctx.definition.title} (worker)", openapi_url=None, docs_url=None, redoc_url=None)
    _add_probes(app, Readiness(ctx))
    return app


def create_app(
    definition: ServiceDefinition,
    settings: HubSettings | None = None,
    *,
    run_worker: bool = False,
    context: ServiceContext | None = None,
) -> FastAPI:
    settings = settings or definition.settings_class()
    ctx = context or ServiceContext(definition, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ctx.start()
        stop = asyncio.Event()
        worker = asyncio.create_task(ctx.run_worker(stop), name=f"{ctx.name}-worker") if run_worker else None
        log.info("service started", port=settings.http_port, worker=run_worker, db=settings.mongo_db)
        try:
            yield
        finally:
            stop.set()
            if worker is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            if context is None:
                await ctx.close()

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        responses={
            400: {"description": "Bad request (problem+json)"},
            401: {"description": "Not signed in (problem+json)"},
            403: {"description": "Forbidden (problem+json)"},
        },
    )
    app.state.settings = settings
    app.state.ctx = ctx
    app.state.verifier = ctx.verifier
    readiness = Readiness(ctx)

    _install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=definition.name)

    _add_probes(app, readiness)

    _add_access_audit(app, ctx)

    @app.get("/asyncapi.json", tags=["events"], summary="AsyncAPI document of the events published and consumed")
    async def asyncapi() -> dict[str, Any]:
        return asyncapi_document(definition, settings)

    app.state.use_cases = ctx.components.use_cases
    for router in definition.routers:
        app.include_router(router)
    _link_operations(app)
    return app


def _link_operations(app: FastAPI) -> None:
    """Publish OpenAPI links from each create to the operations on what it created."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def on_problem(request: Request, exc: ProblemError) -> JSONResponse:
        response = problem(
            exc.status,
            exc.title,
            exc.detail,
            slug=exc.type_slug,
            instance=request.url.path,
            errors=exc.errors,
            **exc.extra,
        )
        if exc.status == 401:  # RFC 9110 15.5.2 / RFC 6750 3
            sent_token = request.headers.get("authorization", "").lower().startswith("bearer ")
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if sent_token else "Bearer"
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    # What a repeated Idempotency-Key can meet, answered with a fixed problem each.
    for error, (status, title, detail, slug) in IDEMPOTENCY_PROBLEMS.items():

        async def on_idempotency_problem(
            request: Request, exc: Exception, status=status, title=title, detail=detail, slug=slug
        ) -> JSONResponse:
            return problem(status, title, detail, slug=slug, instance=request.url.path)

        app.add_exception_handler(error, on_idempotency_problem)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(request, exc.errors(), "some fields are missing or not valid; see 'errors'")

    @app.exception_handler(ValidationError)
    async def on_domain_validation(request: Request, exc: ValidationError) -> JSONResponse:
        # A model built from the request inside a use case (e.g. a patch merged into an entity)
        # refused it: that is the caller's input, so 422 like any other invalid field.
        return _invalid(request, exc.errors(), "some fields are not valid; see 'errors'")

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(
            exc.status_code,
            _title(exc.status_code),
            str(exc.detail),
            slug=f"http-{exc.status_code}",
            instance=request.url.path,
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(PyMongoError)
    async def on_database(request: Request, exc: PyMongoError) -> JSONResponse:
        if is_transient_mongo_error(exc):
            log.warning("database unavailable", error=repr(exc))
            response = problem(
                503, "Service unavailable", "the database is not reachable; try again shortly", slug="unavailable"
            )
            response.headers["Retry-After"] = "5"
            return response
        log.exception("database error")
        return problem(500, "Internal error", "something went wrong on our side", slug="internal")


def _invalid(request: Request, errors: Sequence[Any], detail: str) -> JSONResponse:
    fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]} for e in errors]
    return problem(422, "Invalid request", detail, slug="validation", instance=request.url.path, errors=fields)


def _title(status: int) -> str:
    return {404: "Not found", 405: "Method not allowed", 401: "Not signed in", 403: "Forbidden"}.get(status, "Error")


class RequestContextMiddleware:
    """Pure ASGI middleware: trace context in and out (``traceparent``), one log line and metrics per request."""

    def __init__(self, app: Any, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"traceparent":
                incoming = parse_traceparent(value.decode("latin-1"))
                break
        trace = incoming.child() if incoming else new_trace()
        token = set_current_trace(trace)
        started = time.perf_counter()
        status_holder: dict[str, Any] = {"status": 500}

        async def send_with_trace(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                headers.append((b"traceparent", trace.traceparent.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        except Exception:
            # Handled here rather than by Starlette's outermost error middleware, so the 500
            # still carries the traceparent an operator needs to find this log line.
            log.exception("unhandled error", path=scope["path"])
            if "started" in status_holder:
                raise
            response = problem(500, "Internal error", "something went wrong on our side", slug="internal")
            await response(scope, receive, send_with_trace)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            method, status = scope["method"], status_holder["status"]
            metrics.HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, route).observe(elapsed)
            if not route.startswith(("/health", "/metrics")):
                log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 1),
                )
            reset_current_trace(token)
