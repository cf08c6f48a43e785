"""The composition root of the issues service: every object built once per process."""

from __future__ import annotations

from datetime import timedelta

from hub_common.partner_grants import PartnerGrantRepository
from hub_common.retention import RetentionRule
from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext
from hub_issues.adapters.assets import AssetRepository
from hub_issues.adapters.categories import CategoryRepository
from hub_issues.adapters.gazetteer import Gazetteer
from hub_issues.adapters.hubs import HubRepository
from hub_issues.adapters.issues import IssueRepository
from hub_issues.adapters.nominatim import NominatimGeocoder
from hub_issues.adapters.outcomes import ForumActionRepository, FundedProjectRepository, IdeaDoneRepository
from hub_issues.adapters.photos import PhotoFiles
from hub_issues.domain.photos import PhotoLimits
from hub_issues.handlers import handlers
from hub_issues.service import UseCases
from hub_issues.service.assets import AssetService
from hub_issues.service.catalogue import CatalogueService
from hub_issues.service.feeds import FeedService
from hub_issues.service.follow_up import FollowUpService
from hub_issues.service.hubs import HubService
from hub_issues.service.outcomes import OutcomeService
from hub_issues.service.personal_data import PersonalDataService
from hub_issues.service.photos import PhotoService
from hub_issues.service.places import PlaceService
from hub_issues.service.reference import ReferenceData
from hub_issues.service.reporting import ReportingService
from hub_issues.service.workflow import WorkflowService
from hub_issues.settings import IssuesSettings


def bootstrap(ctx: ServiceContext[IssuesSettings]) -> Components:
    settings, clock, uow = ctx.settings, ctx.clock, ctx.uow
    hubs, categories = HubRepository(ctx.db), CategoryRepository(ctx.db)
    issues, assets = IssueRepository(ctx.db), AssetRepository(ctx.db)
    # One cache of hubs and categories for the process: the /v1 and Open311 routes, the consumer.
    reference = ReferenceData(hubs, categories, ttl_s=settings.reference_cache_s)
    attach_within = timedelta(minutes=settings.photo_attach_minutes)
    photos = PhotoService(
        uow,
        issues,
        PhotoFiles(ctx.db),
        clock=clock,
        limits=PhotoLimits(
            max_bytes=settings.photo_max_bytes,
            max_pixels=settings.photo_max_pixels,
            max_side=settings.photo_max_side,
            thumbnail_side=settings.photo_thumbnail_side,
        ),
        attach_within=attach_within,
    )
    geocoder = (
        NominatimGeocoder(settings.geocoder_url, timeout_s=settings.geocoder_timeout_s)
        if settings.geocoder_url
        else None
    )
    places = PlaceService(Gazetteer(ctx.db), geocoder)
    use_cases = UseCases(
        hubs=HubService(uow, hubs, reference, clock=clock),
        catalogue=CatalogueService(uow, categories, hubs, reference, clock=clock),
        reporting=ReportingService(
            uow, issues, assets, reference, photos, places, clock=clock, duplicate_radius_m=settings.duplicate_radius_m
        ),
        workflow=WorkflowService(uow, issues, photos, clock=clock, reopen_days=settings.reopen_days),
        follow_up=FollowUpService(
            uow,
            issues,
            clock=clock,
            feedback_after_days=settings.feedback_after_days,
            feedback_respond_days=settings.feedback_respond_days,
        ),
        feeds=FeedService(
            issues,
            hubs,
            clock=clock,
            open311_default_days=settings.open311_default_days,
            open311_max_requests=settings.open311_max_requests,
        ),
        assets=AssetService(assets),
        personal_data=PersonalDataService(uow, issues),
        places=places,
        photos=photos,
        outcomes=OutcomeService(
            ForumActionRepository(ctx.db), FundedProjectRepository(ctx.db), IdeaDoneRepository(ctx.db)
        ),
    )
    return Components(
        use_cases=use_cases,
        handlers=handlers(use_cases, PartnerGrantRepository(ctx.db)),
        periodic=[
            # Overdue flags and feedback requests, in the worker every HUB_SWEEP_INTERVAL_S.
            PeriodicTask("issue-sweep", settings.sweep_interval_s, use_cases.follow_up.sweep),
            ctx.retention_task(
                [
                    RetentionRule(
                        "reporters' links and contact details on closed reports",
                        timedelta(days=settings.closed_report_contact_retention_days),
                        use_cases.personal_data.forget_closed,
                        why="a report closed a year ago needs no way back to its reporter; the report stays",
                    ),
                    RetentionRule(
                        "photos uploaded but never sent with a report or update",
                        # Twice the time they may still be attached: never one a report is naming now.
                        2 * attach_within,
                        photos.remove_unattached,
                        why="a photo nobody sent is not part of any report; it may show people",
                    ),
                ]
            ),
        ],
    )
