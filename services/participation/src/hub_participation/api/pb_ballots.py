"""``/v1/pb/rounds/{round_id}/ballot``: a signed-in resident's one ballot in a round, cast and replaced
while voting is open; read back by its voter only."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller
from hub_participation.api.deps import PbBallots, Resident
from hub_participation.api.pb_schemas import BallotIn, BallotOut, MyBallotOut, ballot_view

router = APIRouter(tags=["participatory budgeting"])


@router.put(
    "/v1/pb/rounds/{round_id}/ballot",
    summary="Cast your ballot, or replace it while voting is open (201 the first time)",
    responses={201: {"model": BallotOut, "description": "your first ballot in this round"}},
)
async def cast_ballot(
    round_id: str, body: BallotIn, response: Response, caller: Resident, ballots: PbBallots
) -> BallotOut:
    # No Idempotency-Key: a PUT repeated is the same ballot again, and a stored result would keep
    # the voter's id beside their choices for a day.
    cast = await ballots.cast(caller, round_id, body.choices)
    response.status_code = 201 if cast.first else 200
    return ballot_view(cast)


@router.get("/v1/pb/rounds/{round_id}/ballot", summary="Your own ballot in this round")
async def my_ballot(round_id: str, caller: Caller, ballots: PbBallots) -> MyBallotOut:
    return MyBallotOut(round_id=round_id, choices=list(await ballots.mine(caller, round_id)))
