"""After the report: "me too", the reporter's feedback, forgetting a resident, and the sweep on demand."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller, set_etag
from hub_issues.api.deps import FollowUp, Operator, PersonalData, Resident
from hub_issues.api.schemas import FeedbackIn, IssueOut, SweepOut
from hub_issues.api.views import issue_view

router = APIRouter(prefix="/v1")


@router.put(
    "/issues/{issue_id}/support",
    tags=["issues"],
    summary="'Me too' (one per person; repeat is harmless)",
    response_model_exclude_unset=True,
)
async def support(issue_id: str, response: Response, principal: Caller, follow_up: FollowUp) -> IssueOut:
    issue = await follow_up.support(principal, issue_id)
    set_etag(response, issue.version)
    return issue_view(issue)


@router.post(
    "/issues/{issue_id}/feedback",
    tags=["workflow"],
    summary="The reporter's answer to a feedback request ('not fixed' reopens)",
    response_model_exclude_unset=True,
)
async def feedback(
    issue_id: str, body: FeedbackIn, response: Response, principal: Caller, follow_up: FollowUp
) -> IssueOut:
    issue = await follow_up.give_feedback(
        principal, issue_id, fixed=body.fixed, satisfaction=body.satisfaction, comment=body.comment
    )
    set_etag(response, issue.version)
    return issue_view(issue)


@router.delete(
    "/residents/me",
    status_code=204,
    tags=["issues"],
    summary="Forget me: unlink my reports and support, and erase my contact details",
)
async def forget_me(principal: Resident, personal_data: PersonalData) -> Response:
    await personal_data.forget_me(principal)
    return Response(status_code=204)


@router.post("/sweeps", tags=["workflow"], summary="Flag overdue issues and send due feedback requests now")
async def sweep(principal: Operator, follow_up: FollowUp) -> SweepOut:
    return SweepOut(**await follow_up.sweep())
