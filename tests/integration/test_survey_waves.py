"""A repeating survey on the real broker, database and SMTP: staff open a quarterly perception survey
for the citizens' panel; when its next wave is due, the platform's scheduler in three competing
workers closes the first wave and opens the second exactly once, the panel member is emailed an
invitation again, and a worker started afresh (a restart) opens the third wave from what is stored.
Time is the services' clock, moved by the test (``ServiceContext(clock=...)``), not slept through."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hub_common.auth import Principal
from hub_common.contact_details import Contact
from hub_common.residents import EMAIL_RESIDENT_PREFIX
from hub_common.scheduler import Scheduler
from hub_common.service import ServiceContext
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_notifications.domain.rules import panel_key
from hub_participation.__main__ import DEFINITION as PARTICIPATION
from hub_participation.domain.survey import Question, Recurrence
from hub_participation.service.surveys import SurveyDraft

pytestmark = pytest.mark.integration

HUB = "hub-northfield"
OPENED, CLOSED = "hub.participation.survey.opened.v1", "hub.participation.survey.closed.v1"


class MovableClock:
    """The services' one clock, set by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def test_the_scheduler_opens_each_wave_once_across_workers_and_the_panel_is_invited_again(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    now = datetime.now(UTC).replace(microsecond=0)
    clock = MovableClock(now)
    first_ctx = await service_context(PARTICIPATION)  # the relay, and the database the test drops after
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port)
    await kafka.skip_history(notifications.settings.consumer_group, list(notifications.definition.consumes))
    workers: list[ServiceContext] = []
    for _ in range(3):
        ctx = ServiceContext(PARTICIPATION, first_ctx.settings, clock=clock)
        await ctx.start()
        workers.append(ctx)
    try:
        background(first_ctx.relay().run)
        background(notifications.run_worker)
        use_cases = workers[0].components.use_cases
        staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(HUB,))
        # Signed in by an emailed link: only such a resident answers a survey (one answer per person).
        resident = Principal(sub=f"{EMAIL_RESIDENT_PREFIX}{unique}", role="resident")
        email = f"panel-{unique}@example.org"
        await use_cases.panel.join(resident, HUB, Contact("Ann", email, None))
        # The membership (keyed by the person) and the survey (by its id) travel on different
        # partitions: the survey opens once notifications knows the panel, as it would in life.
        await wait_until(lambda: _on_panel(notifications, resident.sub), timeout_s=60)

        draft = SurveyDraft(
            hub_id=HUB,
            title=f"How is Northfield? {unique}",
            questions=(Question(id="safe", kind="scale", text="How safe do you feel?", low=1, high=5),),
            recurrence=Recurrence(every_months=3, open_days=21),
        )
        survey = await use_cases.surveys.create(staff, draft, None)
        first = await use_cases.surveys.open(staff, survey.id, None, None, invite_panel=True)
        await use_cases.surveys.answer(resident, survey.id, {"safe": 2}, None)
        await wait_until(lambda: _mails(smtp_server, email, draft.title, 1), timeout_s=60)

        # The next wave's time comes; three workers' schedulers compete for the run slots.
        clock.at = first.next_wave_at + timedelta(minutes=1)
        schedulers = [Scheduler(ctx.db, ctx.components.periodic) for ctx in workers]
        ran = await asyncio.gather(*(s.run_due() for s in schedulers))
        assert sum(names.count("open-due-survey-waves") for names in ran) == 1
        second_id = f"{survey.id}-w2"
        second = await use_cases.surveys.get(staff, second_id)
        assert (second.status, second.wave, second.series_id) == ("open", 2, survey.id)
        assert (await use_cases.surveys.get(staff, survey.id)).status == "closed"
        # A repeat by every worker (as after a crash mid-run) opens nothing more.
        again = await asyncio.gather(*(ctx.components.use_cases.surveys.open_due_waves() for ctx in workers))
        assert sum(again) == 0

        opened = await kafka.published_per("participation", OPENED, "wave", expected=2, hub=HUB,
                                           subjects={survey.id, second_id})  # fmt: skip
        assert opened == {1: 1, 2: 1}
        closed = await kafka.published_per("participation", CLOSED, "wave", expected=1, hub=HUB, subjects={survey.id})
        assert closed == {1: 1}
        # The panel is asked again, for the new wave; the resident answers it too (each wave once).
        await wait_until(lambda: _mails(smtp_server, email, draft.title, 2), timeout_s=60)
        await use_cases.surveys.answer(resident, second_id, {"safe": 4}, None)
    finally:
        for ctx in workers:
            await ctx.close()

    # A restart: a worker started afresh, when the third wave is due, finds it all in the database.
    clock.at = second.next_wave_at + timedelta(minutes=1)
    restarted = ServiceContext(PARTICIPATION, first_ctx.settings, clock=clock)
    await restarted.start()
    try:
        surveys = restarted.components.use_cases.surveys
        assert await surveys.open_due_waves() == 1
        third = await surveys.get(staff, f"{survey.id}-w3")
        assert third.wave == 3 and third.status == "open"
        trend = await surveys.waves(staff, third.id)
        assert [(w.wave, w.respondents) for w in trend.waves] == [(1, 1), (2, 1), (3, 0)]
        assert [f.mean for f in trend.questions[0].waves] == [2.0, 4.0, None]
        # Stopped by staff: the schedule ends with the wave that is open.
        await surveys.stop_repeating(staff, third.id, None)
        clock.at = third.closes_at + timedelta(days=200)
        assert await surveys.close_due() == 1
        assert await surveys.open_due_waves() == 0
    finally:
        await restarted.close()


async def _on_panel(notifications: ServiceContext, person_id: str) -> bool:
    book = await notifications.db["issue_followers"].find_one({"_id": panel_key(HUB)})
    return book is not None and person_id in book.get("followers", [])


async def _mails(smtp_server, address: str, title: str, count: int) -> list | None:
    """The invitations to ``address`` naming ``title``, once there are ``count`` of them."""
    found = [m for m in smtp_server.to(address) if title in m["Subject"]]
    assert len(found) <= count, "invited more often than waves opened"
    return found if len(found) == count else None
