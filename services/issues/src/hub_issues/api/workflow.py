"""The workflow routes: status changes, merging duplicates, assigning, public progress updates."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller, IfMatch, set_etag
from hub_issues.api.deps import Editor, Workflow, one_version
from hub_issues.api.schemas import AssignIn, IssueOut, MergeIn, TransitionIn, UpdateIn
from hub_issues.api.views import issue_view

router = APIRouter(prefix="/v1")


@router.post(
    "/issues/{issue_id}/transitions",
    tags=["workflow"],
    summary="Move an issue through the workflow",
    response_model_exclude_unset=True,
)
async def transition(
    issue_id: str, body: TransitionIn, response: Response, principal: Caller, if_match: IfMatch, workflow: Workflow
) -> IssueOut:
    issue = await workflow.change_status(
        principal,
        issue_id,
        body.action,
        public_note=body.public_note,
        private_note=body.private_note,
        agency_responsible=body.agency_responsible,
        reason=body.reason,
        expected_version=one_version(if_match, body.version),
        photo_ids=body.photo_ids,
    )
    set_etag(response, issue.version)
    return issue_view(issue, staff=principal.is_staff_for(issue.hub_id))


@router.post(
    "/issues/{issue_id}/merge",
    tags=["workflow"],
    summary="Merge a duplicate into the original",
    response_model_exclude_unset=True,
)
async def merge(
    issue_id: str, body: MergeIn, response: Response, principal: Editor, if_match: IfMatch, workflow: Workflow
) -> IssueOut:
    issue = await workflow.merge(
        principal,
        issue_id,
        into=body.into,
        public_note=body.public_note,
        private_note=body.private_note,
        expected_version=one_version(if_match, body.version),
    )
    set_etag(response, issue.version)
    return issue_view(issue, staff=True)


@router.post(
    "/issues/{issue_id}/assign",
    tags=["workflow"],
    summary="Assign an open issue to a team or person",
    response_model_exclude_unset=True,
)
async def assign(
    issue_id: str, body: AssignIn, response: Response, principal: Editor, if_match: IfMatch, workflow: Workflow
) -> IssueOut:
    issue = await workflow.assign(principal, issue_id, body.assignee.strip(), one_version(if_match, body.version))
    set_etag(response, issue.version)
    return issue_view(issue, staff=True)


@router.post(
    "/issues/{issue_id}/updates",
    tags=["workflow"],
    summary="Publish a progress update (no status change): staff, or the agency it is referred to",
    response_model_exclude_unset=True,
)
async def publish_update(
    issue_id: str, body: UpdateIn, response: Response, principal: Caller, workflow: Workflow
) -> IssueOut:
    """Hub staff, or the partner agency the issue is referred to (reporting its progress back)."""
    issue = await workflow.publish_update(principal, issue_id, body.public_note, body.photo_ids)
    set_etag(response, issue.version)
    return issue_view(issue, staff=principal.is_staff_for(issue.hub_id))
