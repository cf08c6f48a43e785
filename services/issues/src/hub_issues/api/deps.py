"""The issues service's dependency aliases: its use-case objects and the roles its routes admit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from hub_common.auth import STAFF_ROLES, Principal
from hub_common.errors import RuleViolation
from hub_common.http import require_roles, use_case
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

Hubs = Annotated[HubService, use_case(lambda uc: uc.hubs)]
Catalogue = Annotated[CatalogueService, use_case(lambda uc: uc.catalogue)]
Reporting = Annotated[ReportingService, use_case(lambda uc: uc.reporting)]
Workflow = Annotated[WorkflowService, use_case(lambda uc: uc.workflow)]
FollowUp = Annotated[FollowUpService, use_case(lambda uc: uc.follow_up)]
Feeds = Annotated[FeedService, use_case(lambda uc: uc.feeds)]
Outcomes = Annotated[OutcomeService, use_case(lambda uc: uc.outcomes)]
PersonalData = Annotated[PersonalDataService, use_case(lambda uc: uc.personal_data)]
Places = Annotated[PlaceService, use_case(lambda uc: uc.places)]
Photos = Annotated[PhotoService, use_case(lambda uc: uc.photos)]

# Staff or operators, refused before the body is read (which hub they may act for, the use case checks).
Editor = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]
Operator = Annotated[Principal, Depends(require_roles("operator"))]
Resident = Annotated[Principal, Depends(require_roles("resident"))]


def one_version(if_match: int | None, body_version: int | None) -> int | None:
    """The version a writer read, from If-Match or the body's ``version`` (they must agree)."""
    if if_match is not None and body_version is not None and if_match != body_version:
        raise RuleViolation("If-Match and version disagree; send one of them")
    return if_match if if_match is not None else body_version
