"""``/v1/pb/rounds``: participatory budgeting rounds. The hub's staff create, edit, move on and close a
round (and recount it); anyone reads a round out of draft and, once voting has closed, its results.
``/v1/hubs/{hub_id}/pb-rounds`` lists a hub's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_common.http import Idempotency, IfMatch, OptionalCaller, Paging, set_etag
from hub_common.pagination import Page
from hub_participation.api.deps import Editor, PbResults, PbRounds
from hub_participation.api.pb_schemas import (
    AdvanceIn,
    RecountOut,
    ResultsOut,
    RoundEditIn,
    RoundIn,
    RoundOut,
    recount_view,
    results_view,
    round_view,
)
from hub_participation.domain.pb_round import Phase
from hub_participation.service.pb_rounds import RoundDraft

router = APIRouter(tags=["participatory budgeting"])


@router.post("/v1/pb/rounds", status_code=201, summary="Start a participatory budgeting round (a draft)")
async def create_round(
    body: RoundIn, response: Response, caller: Editor, rounds: PbRounds, idempotency: Idempotency
) -> RoundOut:
    created = await rounds.create(caller, RoundDraft(**body.model_dump()), idempotency)
    set_etag(response, created.version)
    response.headers["Location"] = f"/v1/pb/rounds/{created.id}"
    return round_view(created)


@router.get("/v1/pb/rounds/{round_id}", summary="A budgeting round (a draft only for its hub's staff)")
async def get_round(round_id: str, response: Response, caller: OptionalCaller, rounds: PbRounds) -> RoundOut:
    found = await rounds.get(caller, round_id)
    set_etag(response, found.version)
    return round_view(found)


@router.patch("/v1/pb/rounds/{round_id}", summary="Change a round (its budget, method and window only before voting)")
async def edit_round(
    round_id: str, body: RoundEditIn, response: Response, caller: Editor, expected: IfMatch, rounds: PbRounds
) -> RoundOut:
    edited = await rounds.edit(caller, round_id, body.changes(), expected)
    set_etag(response, edited.version)
    return round_view(edited)


@router.post("/v1/pb/rounds/{round_id}/advance", summary="Move a round to its next phase (proposals, review, voting)")
async def advance_round(
    round_id: str, body: AdvanceIn, response: Response, caller: Editor, expected: IfMatch, rounds: PbRounds
) -> RoundOut:
    moved = await rounds.advance(caller, round_id, body.to, expected)
    set_etag(response, moved.version)
    return round_view(moved)


@router.post("/v1/pb/rounds/{round_id}/close", summary="Close voting, count the ballots and publish the results")
async def close_round(
    round_id: str, response: Response, caller: Editor, expected: IfMatch, results: PbResults
) -> RoundOut:
    closed = await results.close(caller, round_id, expected)
    set_etag(response, closed.version)
    return round_view(closed)


@router.get("/v1/pb/rounds/{round_id}/results", summary="Votes per project and the funded ones (once voting closed)")
async def round_results(round_id: str, results: PbResults) -> ResultsOut:
    return results_view(await results.results(round_id))


@router.post("/v1/pb/rounds/{round_id}/recount", summary="Count the stored ballots again (the hub's staff)")
async def recount_round(round_id: str, caller: Editor, results: PbResults) -> RecountOut:
    return recount_view(await results.recount(caller, round_id))


@router.get("/v1/hubs/{hub_id}/pb-rounds", summary="A hub's budgeting rounds, newest first (drafts for its staff)")
async def hub_rounds(
    hub_id: str,
    caller: OptionalCaller,
    rounds: PbRounds,
    paging: Paging,
    phase: Annotated[Phase | None, Query(description="only rounds in this phase")] = None,
) -> Page[RoundOut]:
    found, cursor = await rounds.in_hub(caller, hub_id, phase, paging)
    return Page[RoundOut](items=[round_view(r) for r in found], next_cursor=cursor)
