"""The participation service's dependency aliases: its use-case objects and the roles its routes admit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from hub_common.auth import COUNCILLOR, STAFF_ROLES, Principal
from hub_common.http import require_roles, use_case
from hub_participation.service.councillors import CouncillorService
from hub_participation.service.hubs import HubService
from hub_participation.service.meetings import MeetingService
from hub_participation.service.minutes import MinutesService
from hub_participation.service.moderation import ModerationService
from hub_participation.service.panel import PanelService
from hub_participation.service.pb_ballots import BallotService
from hub_participation.service.pb_projects import ProjectService
from hub_participation.service.pb_proposals import PbProposalService
from hub_participation.service.pb_results import ResultsService
from hub_participation.service.pb_rounds import RoundService
from hub_participation.service.proposals import ProposalService
from hub_participation.service.registrations import RegistrationService
from hub_participation.service.responses import ResponseService
from hub_participation.service.satisfaction import SatisfactionService
from hub_participation.service.support import SupportService
from hub_participation.service.surveys import SurveyService

Hubs = Annotated[HubService, use_case(lambda uc: uc.hubs)]
Proposals = Annotated[ProposalService, use_case(lambda uc: uc.proposals)]
Support = Annotated[SupportService, use_case(lambda uc: uc.support)]
Moderation = Annotated[ModerationService, use_case(lambda uc: uc.moderation)]
Responses = Annotated[ResponseService, use_case(lambda uc: uc.responses)]
Councillors = Annotated[CouncillorService, use_case(lambda uc: uc.councillors)]
Meetings = Annotated[MeetingService, use_case(lambda uc: uc.meetings)]
Registrations = Annotated[RegistrationService, use_case(lambda uc: uc.registrations)]
Minutes = Annotated[MinutesService, use_case(lambda uc: uc.minutes)]
Surveys = Annotated[SurveyService, use_case(lambda uc: uc.surveys)]
Panel = Annotated[PanelService, use_case(lambda uc: uc.panel)]
Satisfaction = Annotated[SatisfactionService, use_case(lambda uc: uc.satisfaction)]
PbRounds = Annotated[RoundService, use_case(lambda uc: uc.pb_rounds)]
PbProposals = Annotated[PbProposalService, use_case(lambda uc: uc.pb_proposals)]
PbBallots = Annotated[BallotService, use_case(lambda uc: uc.pb_ballots)]
PbResults = Annotated[ResultsService, use_case(lambda uc: uc.pb_results)]
PbProjects = Annotated[ProjectService, use_case(lambda uc: uc.pb_projects)]

# Refused before the body is read (which hub staff may act for, the use case checks on the idea).
Resident = Annotated[Principal, Depends(require_roles("resident"))]
Editor = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]
Councillor = Annotated[Principal, Depends(require_roles(COUNCILLOR))]  # which hub's, the use case checks
