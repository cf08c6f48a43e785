"""The composition root of the participation service: every object built once per process."""

from __future__ import annotations

from datetime import timedelta

from hub_common.partner_grants import PartnerGrantRepository
from hub_common.retention import RetentionRule
from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext
from hub_participation.adapters.hubs import IdeaSettingsRepository
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.adapters.meetings import MeetingRepository
from hub_participation.adapters.panel import PanelRepository
from hub_participation.adapters.partner_messages import PartnerMessageRepository
from hub_participation.adapters.pb_ballots import BallotRepository
from hub_participation.adapters.pb_rounds import ProposalRepository, RoundRepository
from hub_participation.adapters.priorities import OpenIssueRepository
from hub_participation.adapters.satisfaction import SatisfactionRepository
from hub_participation.adapters.sign_in_links import SignInLinkRepository
from hub_participation.adapters.surveys import AnswerRepository, SurveyRepository
from hub_participation.handlers import handlers
from hub_participation.service import UseCases
from hub_participation.service.councillors import CouncillorService
from hub_participation.service.hubs import HubService
from hub_participation.service.meetings import MeetingService
from hub_participation.service.minutes import MinutesService
from hub_participation.service.moderation import ModerationService
from hub_participation.service.panel import PanelService
from hub_participation.service.partner_inbound import PartnerInbound
from hub_participation.service.pb_ballots import BallotService
from hub_participation.service.pb_people import PbPeople
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
from hub_participation.settings import ParticipationSettings

CLOSE_SURVEYS_EVERY_S = 60
OPEN_SURVEY_WAVES_EVERY_S = 60
CLOSE_ROUNDS_EVERY_S = 60
# A partner message's reference is needed while its round or meeting may still take it (a resend is
# refused by the rules after that): far longer than a voting window or the run-up to a forum.
PARTNER_MESSAGES_KEPT = timedelta(days=400)


def bootstrap(ctx: ServiceContext[ParticipationSettings]) -> Components:
    settings, clock, uow = ctx.settings, ctx.clock, ctx.uow
    ideas, meetings = IdeaRepository(ctx.db), MeetingRepository(ctx.db)
    answers = AnswerRepository(ctx.db)
    rounds, proposals, ballots = RoundRepository(ctx.db), ProposalRepository(ctx.db), BallotRepository(ctx.db)
    partner_messages = PartnerMessageRepository(ctx.db)
    ballot_key = settings.pb_ballot_key.get_secret_value().encode()
    priorities = PriorityService(OpenIssueRepository(ctx.db))
    hubs = HubService(
        uow, IdeaSettingsRepository(ctx.db), clock=clock, default_threshold=settings.idea_support_threshold
    )
    panel = PanelRepository(ctx.db)
    sign_in_links = SignInLinkRepository(ctx.db)
    registrations = RegistrationService(uow, meetings, ctx.audit, clock=clock)
    pb_ballots = BallotService(uow, rounds, proposals, ballots, key=ballot_key, clock=clock)
    use_cases = UseCases(
        hubs=hubs,
        proposals=ProposalService(uow, ideas, hubs, clock=clock),
        support=SupportService(uow, ideas, clock=clock),
        moderation=ModerationService(uow, ideas, clock=clock),
        responses=ResponseService(uow, ideas, clock=clock),
        councillors=CouncillorService(uow, ideas, meetings, hubs, clock=clock),
        meetings=MeetingService(uow, meetings, ideas, priorities, hubs, clock=clock),
        registrations=registrations,
        minutes=MinutesService(uow, meetings, clock=clock),
        personal_data=PersonalDataService(
            uow,
            ideas,
            meetings,
            answers,
            PbPeople(rounds, proposals, ballots, ballot_key=ballot_key),
            panel,
            sign_in_links,
        ),
        surveys=SurveyService(uow, SurveyRepository(ctx.db), answers, clock=clock),
        panel=PanelService(uow, panel, clock=clock),
        satisfaction=SatisfactionService(SatisfactionRepository(ctx.db)),
        priorities=priorities,
        pb_rounds=RoundService(uow, rounds, proposals, clock=clock),
        pb_proposals=PbProposalService(uow, rounds, proposals, clock=clock),
        pb_ballots=pb_ballots,
        pb_results=ResultsService(uow, rounds, proposals, ballots, clock=clock),
        pb_projects=ProjectService(uow, rounds, proposals, clock=clock),
        sign_in_links=SignInLinkService(
            uow, sign_in_links, key=settings.resident_sign_in_key.get_secret_value().encode(), clock=clock
        ),
        partner_inbound=PartnerInbound(pb_ballots, registrations, partner_messages, clock=clock),
    )
    return Components(
        use_cases=use_cases,
        handlers=handlers(use_cases, PartnerGrantRepository(ctx.db)),
        # Surveys given a closing time close by themselves (and publish their results) within a minute.
        # Rounds past their voting window close (and publish their results) within a minute too.
        periodic=(
            PeriodicTask("close-due-surveys", CLOSE_SURVEYS_EVERY_S, use_cases.surveys.close_due),
            # A repeating survey's next wave opens (and invites the panel again) within a minute of its time.
            PeriodicTask("open-due-survey-waves", OPEN_SURVEY_WAVES_EVERY_S, use_cases.surveys.open_due_waves),
            PeriodicTask("close-due-pb-rounds", CLOSE_ROUNDS_EVERY_S, use_cases.pb_results.close_due),
            ctx.retention_task(
                [
                    RetentionRule(
                        "references of partners' ballots and registrations taken",
                        PARTNER_MESSAGES_KEPT,
                        partner_messages.forget_before,
                        why="only needed to take a resent message once while its round or meeting is open",
                    )
                ]
            ),
        ),
    )
