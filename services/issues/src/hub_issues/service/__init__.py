"""Use cases of the issues service, one module per sub-domain; the composition root builds each once."""

from __future__ import annotations

from dataclasses import dataclass

from hub_issues.service.assets import AssetService
from hub_issues.service.catalogue import CatalogueService
from hub_issues.service.feeds import FeedService
from hub_issues.service.follow_up import FollowUpService
from hub_issues.service.hubs import HubService
from hub_issues.service.outcomes import OutcomeService
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
    # What residents asked for through the participation service and the hub did (You Said, We Did).
    outcomes: OutcomeService
