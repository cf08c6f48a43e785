"""Use cases of the participation service, one module per sub-domain; the composition root builds each once."""

from __future__ import annotations

from dataclasses import dataclass

from hub_participation.service.councillors import CouncillorService
from hub_participation.service.hubs import HubService
from hub_participation.service.meetings import MeetingService
from hub_participation.service.minutes import MinutesService
from hub_participation.service.moderation import ModerationService
from hub_participation.service.panel import PanelService
from hub_participation.service.partner_inbound import PartnerInbound
from hub_participation.service.pb_ballots import BallotService
from hub_participation.service.pb_projects import ProjectService
from hub_participation.service.pb_proposals import PbProposalService
from hub_participation.service.pb_results import ResultsService
from hub_participation.service.pb_rounds import RoundService
from hub_participation.service.personal_data import PersonalDataService
from hub_participation.service.priorities import PriorityService
from hub_participation.service.proposals import ProposalService
from hub_participation.service.registrations import RegistrationService
from hub_participation.service.responses import ResponseService
from hub_participation.service.satisfaction import SatisfactionService
from hub_participation.service.sign_in_links import SignInLinkService
from hub_participation.service.support import SupportService
from hub_participation.service.surveys import SurveyService


@dataclass(frozen=True)
class UseCases:
    hubs: HubService
    proposals: ProposalService
    support: SupportService
    moderation: ModerationService
    responses: ResponseService
    councillors: CouncillorService  # ward councillors' comments on ideas and their brief of a hub
    meetings: MeetingService  # forum meetings: scheduling, the room, the calendar
    registrations: RegistrationService
    minutes: MinutesService  # minutes and their actions
    personal_data: PersonalDataService  # erasure and subject access (hub.privacy)
    surveys: SurveyService
    panel: PanelService  # each hub's citizens' panel: residents who agree to be asked to take surveys
    satisfaction: SatisfactionService  # after-fix questionnaire answers from the issues service
    priorities: PriorityService  # each hub's open issues and their support, from the issues service's events
    # participatory budgeting: rounds, proposals and their review, ballots, results, funded projects
    pb_rounds: RoundService
    pb_proposals: PbProposalService
    pb_ballots: BallotService
    pb_results: ResultsService
    pb_projects: ProjectService
    sign_in_links: SignInLinkService  # residents signing in by an emailed link (one vote, one answer)
    partner_inbound: PartnerInbound  # ballots and registrations partners take (hub.participation.inbound)
