"""The ``/v1`` responses, built from the domain: one function per representation.

An issue has a public view and a staff view (staff of its hub also see who acted, private notes,
the reporter's opaque id, the assignee); routes answer with ``response_model_exclude_unset``, so
a field left unset here is left out of the JSON.
"""

from __future__ import annotations

from hub_issues.adapters.outcomes import ForumActionDone, FundedProjectDone, IdeaDone
from hub_issues.api.schemas import (
    CategoryOut,
    CategoryStats,
    ForumActionOut,
    FundedProjectOut,
    HistoryOut,
    HubOut,
    IdeaDoneOut,
    IssueOut,
    LikelyDuplicateOut,
    PhotoOut,
    PriorityOut,
    ReportOut,
    StatsOut,
    YouSaidWeDidOut,
)
from hub_issues.domain.catalogue import Category
from hub_issues.domain.hub import Hub
from hub_issues.domain.issue import HistoryEntry, Issue
from hub_issues.domain.photos import Photo, photo_path
from hub_issues.domain.statistics import AreaStatistics
from hub_issues.domain.workflow import open311_status
from hub_issues.service.reporting import Report

STAFF_ONLY_HISTORY = ("by", "private_note")


def hub_view(hub: Hub) -> HubOut:
    return HubOut(
        id=hub.id,
        name=hub.name,
        boundary=hub.boundary,
        centre={"lat": hub.centre.lat, "lon": hub.centre.lon},
        is_default=hub.is_default,
        version=hub.version,
        created_at=hub.created_at,
        updated_at=hub.updated_at,
    )


def category_view(category: Category) -> CategoryOut:
    fields = category.fields()
    return CategoryOut(
        hub_id=category.hub_id,
        code=category.code,
        name=category.name,
        description=category.description,
        group=category.group,
        keywords=fields["keywords"],
        target_response_hours=category.target_response_hours,
        active=category.active,
        attributes=fields["attributes"],
        translations=fields["translations"],
        version=category.version,
    )


def photo_view(photo: Photo, *, staff: bool) -> PhotoOut:
    view = PhotoOut(
        id=photo.id,
        url=photo_path(photo.id),
        thumbnail_url=f"{photo_path(photo.id)}/thumbnail",
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        added_by_role=photo.added_by_role,
        added_at=photo.added_at,
    )
    if staff:
        view.hidden = photo.hidden
        view.hidden_reason = photo.hidden_reason
        view.hidden_at = photo.hidden_at
    return view


def history_view(entry: HistoryEntry, *, staff: bool, shown: set[str]) -> HistoryOut:
    """One history entry; ``shown`` are the photo ids the reader may see (hidden ones are left out)."""
    fields = {k: v for k, v in entry.recorded().items() if staff or k not in STAFF_ONLY_HISTORY}
    if "photo_ids" in fields:
        fields["photo_ids"] = [photo_id for photo_id in fields["photo_ids"] if photo_id in shown]
    return HistoryOut(**fields)


def issue_view(issue: Issue, *, staff: bool = False) -> IssueOut:
    photos = issue.photos if staff else issue.visible_photos
    shown = {photo.id for photo in photos}
    view = IssueOut(
        id=issue.id,
        hub_id=issue.hub_id,
        service_code=issue.service_code,
        service_name=issue.service_name,
        group=issue.group,
        description=issue.description,
        status=issue.status,
        open311_status=open311_status(issue.status),
        lat=issue.lat,
        lon=issue.lon,
        location_precision=issue.location_precision,
        address=issue.address,
        address_id=issue.address_id,
        zipcode=issue.zipcode,
        media_url=issue.media_url,
        photos=[photo_view(photo, staff=staff) for photo in photos],
        asset_id=issue.asset_id,
        attributes=issue.attributes,
        agency_responsible=issue.agency_responsible,
        status_notes=issue.status_notes,
        reason=issue.reason,
        duplicate_of=issue.duplicate_of,
        support_count=issue.support_count,
        requested_at=issue.requested_at,
        updated_at=issue.updated_at,
        expected_at=issue.expected_at,
        fixed_at=issue.fixed_at,
        version=issue.version,
        history=[history_view(entry, staff=staff, shown=shown) for entry in issue.history],
    )
    if staff:
        view.assignee = issue.assignee
        view.reporter_id = issue.reporter_id
        view.submitted_by = issue.submitted_by
        view.channel = issue.channel
        view.followers = len(issue.followers)
    return view


def report_view(report: Report) -> ReportOut:
    return ReportOut(
        issue=issue_view(report.issue),
        likely_duplicates=[
            LikelyDuplicateOut(issue_id=d.issue_id, distance_m=d.distance_m) for d in report.likely_duplicates
        ],
    )


def priority_view(issue: Issue) -> PriorityOut:
    return PriorityOut(
        id=issue.id,
        service_code=issue.service_code,
        service_name=issue.service_name,
        description=issue.description,
        status=issue.status,
        support_count=issue.support_count,
        requested_at=issue.requested_at,
        lat=issue.lat,
        lon=issue.lon,
    )


def you_said_we_did_view(issue: Issue) -> YouSaidWeDidOut:
    return YouSaidWeDidOut(
        id=issue.id,
        service_name=issue.service_name,
        you_said=issue.description,
        we_did=issue.fix_note or "",
        requested_at=issue.requested_at,
        fixed_at=issue.fixed_at,
        lat=issue.lat,
        lon=issue.lon,
    )


def forum_action_view(action: ForumActionDone) -> ForumActionOut:
    return ForumActionOut(
        id=action.id,
        meeting_id=action.meeting_id,
        you_said=action.meeting_title,
        action=action.title,
        owner=action.owner,
        due_on=action.due_on,
        we_did=action.note,
        done_at=action.completed_at,
    )


def funded_project_view(project: FundedProjectDone) -> FundedProjectOut:
    return FundedProjectOut(
        id=project.id,
        round_id=project.round_id,
        you_said=project.round_title,
        project=project.title,
        cost=project.cost,
        votes=project.votes,
        we_did=project.note,
        done_at=project.delivered_at,
    )


def idea_done_view(idea: IdeaDone) -> IdeaDoneOut:
    return IdeaDoneOut(
        id=idea.id,
        you_said=idea.title,
        support_count=idea.support_count,
        we_did=idea.note,
        done_at=idea.done_at,
    )


def stats_view(stats: AreaStatistics) -> StatsOut:
    return StatsOut(
        hub_id=stats.hub_id,
        since=stats.since,
        until=stats.until,
        reported=stats.reported,
        open=stats.open,
        fixed=stats.fixed,
        median_hours_to_fix=stats.median_hours_to_fix,
        share_fixed_within_target=stats.share_fixed_within_target,
        categories=[
            CategoryStats(
                service_code=c.service_code,
                service_name=c.service_name,
                reported=c.reported,
                open=c.open,
                fixed=c.fixed,
                median_hours_to_fix=c.median_hours_to_fix,
                share_fixed_within_target=c.share_fixed_within_target,
            )
            for c in stats.categories
        ],
    )
