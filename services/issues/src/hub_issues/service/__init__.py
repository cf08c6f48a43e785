"""Use cases of the issues service, one module per sub-domain; the composition root builds each once."""

from __future__ import annotations

from dataclasses import dataclass

from hub_issues.service.assets import AssetService
from hub_issues.service.catalogue import CatalogueService
from hub_issues.service.feeds import FeedService
from hub_issues.service.follow_up import FollowUpService
from hub_issues.service.forum_actions import ForumActionService
from hub_issues.service.funded_projects import FundedProjectService
from hub_issues.service.hubs import HubService
from hub_issues.service.personal_data import PersonalDataService
from hub_issues.service.photos import PhotoService
from hub_issues.service.places import PlaceService
from hub_issues.service.reporting import ReportingService
from hub_issues.service.workflow import WorkflowService


@dataclass(frozen=True)
class UseCases:
    hubs: HubService
    catalogue: CatalogueService
    reporting: ReportingService
    workflow: WorkflowService
    follow_up: FollowUpService
    feeds: FeedService
    assets: AssetService
    personal_data: PersonalDataService  # erasure and subject access (hub.privacy, forget me)
    places: PlaceService  # address and postcode search
    photos: PhotoService
    forum_actions: ForumActionService  # the participation service's completed forum actions (You Said, We Did)
    funded_projects: FundedProjectService  # its participatory budgeting projects delivered (You Said, We Did)
