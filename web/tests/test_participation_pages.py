"""Have your say pages (ideas, forum meetings, surveys) and their staff console sections, with the
participation service behind an httpx MockTransport (view logic only: the journeys against the real
services are in test_participation_journeys.py)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import httpx
from web_testkit import csrf_of

from hub_common.residents import EMAIL_RESIDENT_PREFIX
from hub_testkit.tokens import issue_token
from hub_web import participation_forms as pforms
from hub_web.accounts import hash_password
from hub_web.forms import FormData

ACCOUNT = {"username": "alpha", "name": "Alpha staff", "role": "staff", "hubs": ["hub-a"],
           "password_hash": hash_password("alpha-password")}  # fmt: skip
OTHER = {**ACCOUNT, "username": "beta", "hubs": ["hub-b"], "password_hash": hash_password("beta-password")}
STAFF = {"staff_accounts": json.dumps([ACCOUNT, OTHER])}
IDEA = {
    "id": "idea-1", "hub_id": "hub-a", "title": "Plant fruit trees", "description": "Apple trees on the verge.",
    "category": "green spaces", "location": None, "proposed_by": "Jo", "status": "open", "support_count": 3,
    "support_threshold": 10, "flag_count": 1, "proposed_at": "2026-11-20T10:00:00Z",
    "updated_at": "2026-11-20T10:00:00Z", "threshold_reached_at": None, "response": None, "progress": [],
    "hidden": None, "edits": [], "version": 2,
}  # fmt: skip
SETTINGS = {"hub_id": "hub-a", "support_threshold": 10, "custom": False, "version": 1}
MEETING = {
    "id": "mtg-1", "hub_id": "hub-a", "title": "Alpha forum", "description": "Ideas and plans.",
    "starts_at": "2030-12-09T18:30:00Z", "ends_at": "2030-12-09T20:30:00Z",
    "place": {"kind": "room", "name": "Main Hall", "room_id": "room-1", "online_url": None,
              "room_status": "confirmed", "room_note": None},
    "capacity": 1, "waitlist": True, "registered": 1, "waitlisted": 0, "places_left": 0,
    "agenda": [{"title": "Plant fruit trees", "kind": "idea", "idea_id": "idea-1", "support_count": 3, "note": None},
               {"title": "Reported problem: Potholes", "kind": "priority", "idea_id": None, "issue_id": "iss-7",
                "support_count": 4, "note": None},
               {"title": "Any other business", "kind": "staff", "idea_id": None, "support_count": None, "note": None}],
    "status": "scheduled", "cancel_reason": None, "minutes": None, "actions": [], "version": 1,
}  # fmt: skip
QUESTIONS = [
    {"id": "q1", "kind": "single", "text": "How often do you visit?", "options": ["Weekly", "Monthly"],
     "required": True, "help": None, "low": 1, "high": 5, "low_label": None, "high_label": None},
    {"id": "q2", "kind": "multiple", "text": "What do you use?", "options": ["Library", "Cafe", "Hall"],
     "required": False, "help": None, "low": 1, "high": 5, "low_label": None, "high_label": None},
    {"id": "q3", "kind": "scale", "text": "How welcome do you feel?", "options": [], "required": True,
     "help": None, "low": 1, "high": 5, "low_label": "Not at all", "high_label": "Very"},
    {"id": "q4", "kind": "text", "text": "Anything else?", "options": [], "required": False,
     "help": None, "low": 1, "high": 5, "low_label": None, "high_label": None},
    {"id": "q5", "kind": "ranking", "text": "Rank these", "options": ["Parks", "Roads", "Youth"], "required": True,
     "help": None, "low": 1, "high": 5, "low_label": None, "high_label": None},
]  # fmt: skip
SURVEY = {
    "id": "srv-1", "hub_id": "hub-a", "title": "Your hub", "intro": "Tell us.", "questions": QUESTIONS,
    "localities": [], "template": None, "status": "open", "opened_at": "2026-11-20T10:00:00Z",
    "closes_at": None, "closed_at": None, "respondents": 4,
}  # fmt: skip
RESULTS = {
    "survey_id": "srv-1", "respondents": 4,
    "questions": [
        {"question_id": "q1", "kind": "single", "text": "How often do you visit?", "answered": 4,
         "counts": {"Weekly": 3, "Monthly": 1}, "mean": None, "average_place": {}, "by_locality": {}},
        {"question_id": "q3", "kind": "scale", "text": "How welcome do you feel?", "answered": 4,
         "counts": {"1": 0, "2": 0, "3": 1, "4": 2, "5": 1}, "mean": 4.0, "average_place": {}, "by_locality": {}},
        {"question_id": "q4", "kind": "text", "text": "Anything else?", "answered": 2, "counts": {}, "mean": None,
         "average_place": {}, "by_locality": {}},
        {"question_id": "q5", "kind": "ranking", "text": "Rank these", "answered": 4, "counts": {}, "mean": None,
         "average_place": {"Parks": 1.5, "Roads": 2.25, "Youth": 2.25}, "by_locality": {}},
    ],
}  # fmt: skip


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


async def open_email_link(client: httpx.AsyncClient, next_path: str, sub: str = EMAIL_RESIDENT_PREFIX + "ann") -> None:
    """Open an emailed sign-in link (its token names an email-derived sub): a verified session."""
    token = issue_token(sub=sub, role="resident", ttl=timedelta(hours=1))
    landed = await client.get(f"/sign-in/email/done?token={token}&next={next_path}")
    assert landed.status_code == 303 and landed.headers["location"] == next_path


async def sign_in(client: httpx.AsyncClient, who: str = "alpha") -> None:
    form = await client.get("/sign-in")
    data = {"username": who, "password": f"{who}-password", "csrf_token": csrf_of(form.text)}
    assert (await client.post("/sign-in", data=data)).status_code == 303


class Participation:
    """A fake participation service: what the pages asked for, and canned answers."""

    def __init__(self) -> None:
        self.asked: list[httpx.Request] = []
        self.idea = dict(IDEA)
        self.meeting = dict(MEETING)
        self.survey = dict(SURVEY)
        self.similar: list[dict] = []
        self.mine: dict | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        path, method = request.url.path, request.method
        self.asked.append(request)
        body = json.loads(request.content) if request.content else None
        if path == "/v1/hubs/hub-a/idea-settings":
            return httpx.Response(200, json=SETTINGS)
        if path == "/v1/hubs/hub-a/ideas":
            return httpx.Response(200, json={"items": [self.idea], "next_cursor": "c2"})
        if path == "/v1/ideas/similar":
            return httpx.Response(200, json=self.similar)
        if path == "/v1/ideas" and method == "POST":
            return httpx.Response(201, json={"idea": {**self.idea, "id": "idea-new"}, "similar": []})
        if path == "/v1/ideas/idea-1":
            return httpx.Response(200, json=self.idea, headers={"ETag": '"v2"'})
        if path == "/v1/ideas/idea-1/supports":
            if self.idea["proposed_by"] == "you":
                return httpx.Response(409, json={"title": "Conflict", "detail": "you cannot support your own idea"})
            counted = {"idea_id": "idea-1", "counted": True, "support_count": 4, "support_threshold": 10}
            return httpx.Response(200, json={**counted, "status": "open", "following": body["follow"]})
        if path in ("/v1/ideas/idea-1/hide", "/v1/ideas/idea-1/response", "/v1/ideas/idea-1/progress"):
            return httpx.Response(200, json=self.idea)
        if path == "/v1/hubs/hub-a/meetings":
            return httpx.Response(200, json={"items": [self.meeting], "next_cursor": None})
        if path == "/v1/hubs/hub-a/meetings.ics":
            return httpx.Response(200, content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        if path == "/v1/meetings/mtg-1":
            return httpx.Response(200, json=self.meeting, headers={"ETag": '"v1"'})
        if path == "/v1/meetings/mtg-1/registration" and method == "GET":
            if self.mine is None:
                return httpx.Response(404, json={"title": "Not found", "detail": "not registered"})
            return httpx.Response(200, json=self.mine)
        if path == "/v1/meetings/mtg-1/registration" and method == "POST":
            needs = (body or {}).get("access_needs")
            self.mine = {"meeting_id": "mtg-1", "registration_id": "r1", "status": "waitlisted",
                         "waitlist_position": 1, "access_needs": needs, "new": True}  # fmt: skip
            return httpx.Response(200, json=self.mine)
        if path == "/v1/meetings/mtg-1/access-needs":
            return httpx.Response(200, json={"meeting_id": "mtg-1", "registered": 1, "waitlisted": 0,
                                             "needs": ["A hearing loop"]})  # fmt: skip
        if path in ("/v1/meetings", "/v1/meetings/mtg-1/minutes", "/v1/meetings/mtg-1/cancel"):
            return httpx.Response(201, json=self.meeting)
        if path == "/v1/assets":
            return httpx.Response(200, json={"items": [{"id": "room-1", "name": "Main Hall"}], "next_cursor": None})
        if path == "/v1/hubs/hub-a/surveys":
            return httpx.Response(200, json={"items": [self.survey], "next_cursor": None})
        if path == "/v1/surveys/srv-1":
            return httpx.Response(200, json=self.survey, headers={"ETag": '"v3"'})
        if path == "/v1/surveys/srv-1/answers/mine":
            return httpx.Response(200, json={"answered": False})
        if path == "/v1/surveys/srv-1/answers":
            return httpx.Response(201, json={"survey_id": "srv-1", "respondents": 5})
        if path == "/v1/surveys/srv-1/results":
            return httpx.Response(200, json=RESULTS)
        if path == "/v1/surveys" and method == "POST":
            return httpx.Response(201, json={**self.survey, "status": "draft"})
        if path == "/v1/surveys/srv-1/questions/q4/texts":
            return httpx.Response(200, json={"items": ["More benches please"], "next_cursor": None})
        return None

    def last(self, path: str, method: str = "POST") -> httpx.Request:
        return next(r for r in reversed(self.asked) if r.url.path == path and r.method == method)


async def test_the_ideas_list_and_an_idea_page_show_support_and_its_threshold(make_client) -> None:
    fake = Participation()
    async for client in make_client(fake):
        page = await client.get("/hubs/hub-a/ideas")
        assert page.status_code == 200
        words = text_of(page.text)
        assert "Plant fruit trees" in words and "3 of 10 supporters" in words and "Next page" in words
        assert "Have your say" in page.text  # the navigation's link
        page = await client.get("/ideas/idea-1")
        words = text_of(page.text)
        assert "3 of 10 supporters needed" in words and "7 more supporters are needed" in words
        assert 'max="10" value="3"' in page.text
        fake.idea = {**IDEA, "title": None, "description": None, "hidden": {"reason": "It names a neighbour",
                     "at": "2026-11-21T10:00:00Z"}}  # fmt: skip
        words = text_of((await client.get("/ideas/idea-1")).text)
        assert "It names a neighbour" in words and "Support this idea" not in words
        fake.idea = {**IDEA, "status": "accepted", "response": {"outcome": "accepted", "text": "Yes, this winter.",
                     "at": "2026-11-22T10:00:00Z"}, "progress": [{"note": "Trees chosen", "done": False,
                     "at": "2026-11-23T10:00:00Z"}]}  # fmt: skip
        words = text_of((await client.get("/ideas/idea-1")).text)
        assert "Yes, this winter." in words and "Trees chosen" in words and "Support this idea" not in words


async def test_supporting_an_idea_signs_the_browser_in_as_a_resident_and_says_so(make_client) -> None:
    fake = Participation()
    async for client in make_client(fake):
        page = await client.get("/ideas/idea-1")
        form = {"csrf_token": csrf_of(page.text), "follow": "yes", "idempotency_key": "k1"}
        answer = await client.post("/ideas/idea-1/support", data=form)
        assert answer.status_code == 303 and answer.headers["location"] == "/ideas/idea-1"
        sent = fake.last("/v1/ideas/idea-1/supports")
        assert json.loads(sent.content) == {"follow": True} and sent.headers["Idempotency-Key"] == "k1"
        assert sent.headers["Authorization"].startswith("Bearer ")
        assert "your support is counted" in (await client.get("/ideas/idea-1")).text
        fake.idea = {**IDEA, "proposed_by": "you"}  # the service refuses: shown on the page, not an error page
        page = await client.get("/ideas/idea-1")
        refused = await client.post("/ideas/idea-1/support", data={"csrf_token": csrf_of(page.text)})
        assert refused.status_code == 409 and "You cannot support your own idea" in refused.text
        assert (await client.post("/ideas/idea-1/support", data={})).status_code == 400  # no CSRF token


async def test_proposing_shows_similar_ideas_first_then_publishes(make_client) -> None:
    fake = Participation()
    async for client in make_client(fake):
        page = await client.get("/hubs/hub-a/ideas/new")
        csrf = csrf_of(page.text)
        empty = await client.post("/hubs/hub-a/ideas/new", data={"csrf_token": csrf, "title": "Tree"})
        assert empty.status_code == 400
        assert "at least 5 characters" in empty.text and "Say what you propose, and why" in empty.text
        fake.similar = [{"id": "idea-1", "title": "Plant fruit trees", "support_count": 3, "overlap": 0.5}]
        form = {"csrf_token": csrf, "title": "Fruit trees on the green", "description": "Apples for everyone here.",
                "email": "jo@example.org", "display_name": "Jo", "idempotency_key": "k2"}  # fmt: skip
        hinted = await client.post("/hubs/hub-a/ideas/new", data=form)
        assert hinted.status_code == 200 and "Ideas like yours already" in hinted.text
        assert '<a href="/ideas/idea-1">Plant fruit trees</a>' in hinted.text
        assert 'name="checked" value="yes"' in hinted.text
        assert not [r for r in fake.asked if r.url.path == "/v1/ideas"]  # nothing proposed yet
        sent = await client.post("/hubs/hub-a/ideas/new", data={**form, "checked": "yes"})
        assert sent.status_code == 303 and sent.headers["location"] == "/ideas/idea-new"
        body = json.loads(fake.last("/v1/ideas").content)
        assert body == {"hub_id": "hub-a", "title": "Fruit trees on the green",
                        "description": "Apples for everyone here.", "display_name": "Jo",
                        "contact": {"email": "jo@example.org"}}  # fmt: skip


async def test_a_full_meeting_offers_the_waiting_list_and_says_where_you_are_on_it(make_client) -> None:
    fake = Participation()
    async for client in make_client(fake):
        words = text_of((await client.get("/hubs/hub-a/meetings")).text)
        assert "Alpha forum" in words and "Full: you can join the waiting list" in words
        page = await client.get("/meetings/mtg-1")
        words = text_of(page.text)
        assert "This meeting is full." in words and "Join the waiting list" in words
        assert "Plant fruit trees" in words and "Main Hall" in words and "/hubs/hub-a/meetings.ics" in page.text
        assert '<a href="/issues/iss-7">Reported problem: Potholes</a>' in page.text
        assert 'Reported problem: Potholes (an open problem report, 4 residents said "me too")' in words
        form = {"csrf_token": csrf_of(page.text), "access_needs": "A hearing loop", "idempotency_key": "k3"}
        answer = await client.post("/meetings/mtg-1/register", data=form)
        assert answer.status_code == 303
        assert json.loads(fake.last("/v1/meetings/mtg-1/registration").content) == {"access_needs": "A hearing loop"}
        words = text_of((await client.get("/meetings/mtg-1")).text)
        assert "you are on the waiting list: number 1" in words
        assert "You are on the waiting list, number 1." in words and "Leave the waiting list" in words
        ics = await client.get("/hubs/hub-a/meetings.ics")
        assert ics.headers["content-type"].startswith("text/calendar") and ics.content.startswith(b"BEGIN:VCALENDAR")


def test_survey_answers_are_checked_as_the_service_takes_them() -> None:
    good = FormData([("q-q1", "Weekly"), ("q-q2", "Cafe"), ("q-q2", "Hall"), ("q-q3", "4"), ("q-q4", " Nice "),
                     ("q-q5-rank-1", "Youth"), ("q-q5-rank-2", "Parks"), ("q-q5-rank-3", "Roads")])  # fmt: skip
    body, errors = pforms.check_answers(good, SURVEY)
    assert not errors
    assert body == {"answers": {"q1": "Weekly", "q2": ["Cafe", "Hall"], "q3": 4, "q4": "Nice",
                                "q5": ["Youth", "Parks", "Roads"]}}  # fmt: skip
    twice = FormData([("q-q1", "Weekly"), ("q-q3", "9"), ("q-q5-rank-1", "Parks"), ("q-q5-rank-2", "Parks"),
                      ("q-q5-rank-3", "Roads")])  # fmt: skip
    _body, errors = pforms.check_answers(twice, SURVEY)
    assert errors.get("q-q3") == "Choose a number from 1 to 5"
    assert errors.get("q-q5-rank-1") == "Give each option one place: use each only once"
    _body, errors = pforms.check_answers(FormData(), SURVEY)
    assert list(errors.fields) == ["q-q1", "q-q3", "q-q5-rank-1"]  # the optional ones may be left out


async def test_a_survey_renders_every_kind_of_question_and_its_results_have_charts(make_client) -> None:
    fake = Participation()
    async for client in make_client(fake):
        # Not signed in with an email: the survey asks for that first (one answer per person, any device).
        page = await client.get("/surveys/srv-1")
        words = text_of(page.text)
        assert "To answer, sign in with your email" in words and "Send my answers" not in words
        assert 'action="/sign-in/email"' in page.text and 'name="next" value="/surveys/srv-1"' in page.text
        assert 'name="hub_id" value="hub-a"' in page.text and 'name="q-q1"' not in page.text
        # A browser's own pseudonymous resident may not answer: refused here, never sent to the service.
        unverified = await client.post("/surveys/srv-1", data={"csrf_token": csrf_of(page.text), "q-q1": "Weekly"})
        assert unverified.status_code == 403 and "To answer, sign in with your email" in text_of(unverified.text)
        assert not [r for r in fake.asked if r.url.path == "/v1/surveys/srv-1/answers"]
        await open_email_link(client, "/surveys/srv-1")
        page = await client.get("/surveys/srv-1")
        assert page.status_code == 200 and "To answer, sign in" not in text_of(page.text)
        assert page.text.count('type="radio" value="Weekly"') == 1 and 'type="checkbox" value="Cafe"' in page.text
        assert 'name="q-q3" type="radio" value="5"' in page.text and '<textarea class="textarea" id="q-q4"' in page.text
        assert all(f'<select class="select" id="q-q5-rank-{n}"' in page.text for n in (1, 2, 3))
        form = {"csrf_token": csrf_of(page.text), "q-q1": "Weekly"}
        refused = await client.post("/surveys/srv-1", data=form)
        assert refused.status_code == 400 and 'href="#q-q5-rank-1"' in refused.text
        assert 'value="Weekly" checked' in refused.text  # what was given stays
        form.update({"q-q3": "3", "q-q5-rank-1": "Roads", "q-q5-rank-2": "Parks", "q-q5-rank-3": "Youth"})
        sent = await client.post("/surveys/srv-1", data=form)
        assert sent.status_code == 303 and sent.headers["location"] == "/surveys/srv-1/thank-you"
        assert json.loads(fake.last("/v1/surveys/srv-1/answers").content)["answers"]["q5"] == [
            "Roads",
            "Parks",
            "Youth",
        ]
        assert "Thank you for your answers" in (await client.get("/surveys/srv-1/thank-you")).text
        early = await client.get("/surveys/srv-1/results")
        assert "published when the survey closes" in early.text and not fake.asked[-1].url.path.endswith("/results")
        fake.survey = {**SURVEY, "status": "closed", "closed_at": "2026-11-30T10:00:00Z"}
        results = await client.get("/surveys/srv-1/results")
        assert results.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
        assert '<th scope="row">Weekly</th><td>3</td>' in results.text and "not published" in results.text
        assert "/staff/surveys" not in results.text  # free text is for staff only


async def test_staff_sections_are_for_the_hubs_own_staff(make_client) -> None:
    fake = Participation()
    async for client in make_client(fake, **STAFF):
        assert (await client.get("/staff/hubs/hub-a/participation")).headers["location"].startswith("/sign-in")
        await sign_in(client, "beta")
        for path in ("/staff/hubs/hub-a/participation", "/staff/ideas/idea-1", "/staff/meetings/mtg-1",
                     "/staff/surveys/srv-1"):  # fmt: skip
            assert (await client.get(path)).status_code == 403, path


async def test_staff_moderate_answer_and_schedule(make_client) -> None:
    fake = Participation()
    async for client in make_client(fake, **STAFF):
        await sign_in(client)
        dashboard_link = "/staff/hubs/hub-a/participation"
        overview = await client.get(dashboard_link)
        assert "1</span> flagged idea" in overview.text
        ideas = text_of((await client.get("/staff/hubs/hub-a/participation/ideas")).text)
        assert "Reported by residents" in ideas and "Plant fruit trees" in ideas
        page = await client.get("/staff/ideas/idea-1")
        csrf = csrf_of(page.text)
        refused = await client.post("/staff/ideas/idea-1/hide", data={"csrf_token": csrf})
        assert refused.status_code == 400 and "Give the public reason" in refused.text
        hidden = await client.post("/staff/ideas/idea-1/hide", data={"csrf_token": csrf, "reason": "Names someone"})
        assert hidden.status_code == 303
        hide = fake.last("/v1/ideas/idea-1/hide")
        assert hide.headers["If-Match"] == '"v2"' and json.loads(hide.content) == {"reason": "Names someone"}
        form = {"csrf_token": csrf, "outcome": "not_taken_forward", "response": "Not this year: no budget left."}
        assert (await client.post("/staff/ideas/idea-1/respond", data=form)).status_code == 303
        assert json.loads(fake.last("/v1/ideas/idea-1/response").content) == {
            "outcome": "not_taken_forward", "response": "Not this year: no budget left."}  # fmt: skip

        page = await client.get("/staff/hubs/hub-a/participation/meetings/new")
        assert '<option value="room-1">Main Hall</option>' in page.text
        form = {"csrf_token": csrf, "title": "Winter forum", "day-day": "9", "day-month": "12", "day-year": "2030",
                "starts": "18:30", "ends": "18:00", "place": "room", "room_id": "room-9", "capacity": "0",
                "top_ideas": "3", "top_priorities": "11"}  # fmt: skip
        refused = await client.post("/staff/hubs/hub-a/participation/meetings/new", data=form)
        words = text_of(refused.text)
        assert refused.status_code == 400 and "The end time must be after the start time" in words
        assert "Choose one of the hub's rooms" in words and "a whole number from 1 to 2,000" in words
        assert "Enter a whole number of problem reports from 0 to 10" in words
        form.update({"ends": "20:30", "room_id": "room-1", "capacity": "30", "waitlist": "yes", "top_priorities": "2",
                     "staff_items": "Winter hours\nAny other business"})  # fmt: skip
        sent = await client.post("/staff/hubs/hub-a/participation/meetings/new", data=form)
        assert sent.status_code == 303 and sent.headers["location"] == "/staff/meetings/mtg-1"
        body = json.loads(fake.last("/v1/meetings").content)
        assert body["starts_at"] == "2030-12-09T18:30:00+00:00" and body["capacity"] == 30 and body["waitlist"]
        assert body["place"] == {"kind": "room", "room_id": "room-1", "name": "Main Hall"}
        assert body["staff_items"] == [{"title": "Winter hours"}, {"title": "Any other business"}]
        assert (body["top_ideas"], body["top_priorities"]) == (3, 2)
        page = await client.get("/staff/meetings/mtg-1")
        assert (
            '<a href="/issues/iss-7">Reported problem: Potholes</a> (an open problem report, 4 "me too")' in page.text
        )
        assert "A hearing loop" in page.text and "once the meeting has started" in page.text
        refused = await client.post("/staff/meetings/mtg-1/cancel", data={"csrf_token": csrf})
        assert refused.status_code == 400 and "Give the reason" in refused.text
        called_off = await client.post("/staff/meetings/mtg-1/cancel", data={"csrf_token": csrf, "reason": "Snow"})
        assert called_off.status_code == 303
        cancel = fake.last("/v1/meetings/mtg-1/cancel")
        assert cancel.headers["If-Match"] == '"v1"' and json.loads(cancel.content) == {"reason": "Snow"}


async def test_staff_publish_minutes_with_actions_and_see_survey_results_and_texts(make_client) -> None:
    fake = Participation()
    fake.meeting = {**MEETING, "starts_at": "2026-01-09T18:30:00Z", "ends_at": "2026-01-09T20:30:00Z"}
    async for client in make_client(fake, **STAFF):
        await sign_in(client)
        page = await client.get("/staff/meetings/mtg-1")
        assert "Publish the minutes" in page.text
        form = {"csrf_token": csrf_of(page.text), "minutes": "We talked about trees and benches.",
                "action-1-title": "Plant the trees", "action-1-owner": "Parks team", "action-1-due-day": "1",
                "action-1-due-month": "3", "action-1-due-year": "2027", "action-2-title": "Benches"}  # fmt: skip
        refused = await client.post("/staff/meetings/mtg-1/minutes", data=form)
        assert refused.status_code == 400 and "Action 2: enter who will do it" in refused.text
        form.update({"action-2-owner": "Streets team", "action-2-due-day": "1", "action-2-due-month": "4",
                     "action-2-due-year": "2027"})  # fmt: skip
        assert (await client.post("/staff/meetings/mtg-1/minutes", data=form)).status_code == 303
        sent = fake.last("/v1/meetings/mtg-1/minutes")
        assert sent.headers["If-Match"] == '"v1"'
        assert json.loads(sent.content)["actions"] == [
            {"title": "Plant the trees", "owner": "Parks team", "due_on": "2027-03-01"},
            {"title": "Benches", "owner": "Streets team", "due_on": "2027-04-01"},
        ]
        page = await client.get("/staff/surveys/srv-1")
        assert page.text.count('class="chart"') == 3 and "Only staff see results while the survey is open" in page.text
        assert "/staff/surveys/srv-1/questions/q4/texts" in page.text
        assert "More benches please" in (await client.get("/staff/surveys/srv-1/questions/q4/texts")).text
        page = await client.get("/staff/hubs/hub-a/participation/surveys/new")
        form = {"csrf_token": csrf_of(page.text), "template": "own", "title": "Library", "question-1-text": "Rank",
                "question-1-kind": "ranking", "question-1-options": "Books"}  # fmt: skip
        refused = await client.post("/staff/hubs/hub-a/participation/surveys/new", data=form)
        assert refused.status_code == 400 and "give at least two different answers" in refused.text
        form = {"csrf_token": csrf_of(page.text), "template": "place_standard", "localities": "North\nSouth"}
        assert (await client.post("/staff/hubs/hub-a/participation/surveys/new", data=form)).status_code == 303
        assert json.loads(fake.last("/v1/surveys").content) == {
            "hub_id": "hub-a", "localities": ["North", "South"], "template": "place_standard"}  # fmt: skip


class FakePanel:
    """The participation service's citizens' panel for hub-a: who is on it, and what opened a survey."""

    def __init__(self) -> None:
        self.members: dict[str, dict] = {}
        self.opened: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        path = request.url.path
        if path == "/v1/hubs/hub-a/panel/me":
            sub = _sub(request)
            if request.method == "PUT":
                changed = sub not in self.members
                self.members[sub] = json.loads(request.content)["contact"]
                return httpx.Response(200, json={"hub_id": "hub-a", "member": True, "changed": changed})
            if request.method == "DELETE":
                changed = self.members.pop(sub, None) is not None
                return httpx.Response(200, json={"hub_id": "hub-a", "member": False, "changed": changed})
            return httpx.Response(200, json={"hub_id": "hub-a", "member": sub in self.members, "changed": False})
        if path == "/v1/hubs/hub-a/panel":
            return httpx.Response(200, json={"hub_id": "hub-a", "members": len(self.members)})
        if path == "/v1/surveys/srv-1":
            return httpx.Response(200, json={**SURVEY, "status": "draft", "opened_at": None}, headers={"ETag": '"v1"'})
        if path == "/v1/surveys/srv-1/open":
            self.opened.append(json.loads(request.content))
            return httpx.Response(200, json=SURVEY)
        return None


def _sub(request: httpx.Request) -> str:
    from hub_testkit.tokens import decode

    return decode(request.headers["authorization"].split()[1]).sub


async def test_a_resident_joins_and_leaves_the_citizens_panel_and_staff_invite_it(make_client) -> None:
    fake = FakePanel()
    async for client in make_client(fake, **STAFF):
        page = await client.get("/hubs/hub-a/panel")
        assert page.status_code == 200 and "Join the panel" in page.text
        refused = await client.post("/hubs/hub-a/panel/join", data={"csrf_token": csrf_of(page.text), "email": "x"})
        assert refused.status_code == 400 and "Enter an email address in the correct format" in refused.text
        assert fake.members == {}
        joined = await client.post(
            "/hubs/hub-a/panel/join",
            data={"csrf_token": csrf_of(page.text), "name": "Ann", "email": "ann@example.org"},
        )
        assert joined.status_code == 303
        [contact] = fake.members.values()
        assert contact == {"email": "ann@example.org", "name": "Ann"}
        on = await client.get("/hubs/hub-a/panel")
        assert "You are on the panel" in on.text and "Leave the panel" in on.text
        left = await client.post("/hubs/hub-a/panel/leave", data={"csrf_token": csrf_of(on.text)})
        assert left.status_code == 303 and fake.members == {}
        assert "You have left the citizens" in (await client.get("/hubs/hub-a/panel")).text

    fake.members["res-someone"] = {"email": "s@example.org"}
    async for client in make_client(fake, **STAFF):
        await sign_in(client)
        draft = await client.get("/staff/surveys/srv-1")
        assert "panel to ask them to take it (1 resident)" in draft.text
        opened = await client.post(
            "/staff/surveys/srv-1/open", data={"csrf_token": csrf_of(draft.text), "invite_panel": "yes"}
        )
        assert opened.status_code == 303, opened.text
        assert fake.opened == [{"closes_at": None, "invite_panel": True}]


WAVES = {
    "series_id": "srv-0",
    "waves": [
        {"wave": 1, "survey_id": "srv-0", "status": "closed", "opened_at": "2026-08-20T10:00:00Z",
         "closed_at": "2026-09-10T10:00:00Z", "respondents": 6},
        {"wave": 2, "survey_id": "srv-1", "status": "open", "opened_at": "2026-11-20T10:00:00Z",
         "closed_at": None, "respondents": 4},
    ],
    "questions": [
        {"question_id": "q1", "kind": "single", "text": "How often do you visit?", "change": None, "waves": [
            {"wave": 1, "answered": 6, "mean": None, "shares": {"Weekly": 50.0, "Monthly": 50.0}},
            {"wave": 2, "answered": 4, "mean": None, "shares": {"Weekly": 75.0, "Monthly": 25.0}}]},
        {"question_id": "q3", "kind": "scale", "text": "How welcome do you feel?", "change": 1.5, "waves": [
            {"wave": 1, "answered": 6, "mean": 2.5, "shares": {}},
            {"wave": 2, "answered": 4, "mean": 4.0, "shares": {}}]},
    ],
}  # fmt: skip


def test_a_repeating_survey_is_checked_months_and_days_together() -> None:
    def check(**fields: str) -> tuple[dict, pforms.Errors]:
        form = FormData([("template", "place_standard"), *fields.items()])
        return pforms.check_survey(form, "hub-a")

    body, errors = check(repeat_months="3", open_days="21")
    assert not errors and body["recurrence"] == {"every_months": 3, "open_days": 21}
    body, errors = check(repeat_months="", open_days="21")
    assert not errors and "recurrence" not in body  # does not repeat
    assert check(repeat_months="13", open_days="5")[1].get("repeat_months")
    assert "Enter how many days" in check(repeat_months="1")[1].get("open_days")
    assert "close before the next one opens" in check(repeat_months="1", open_days="28")[1].get("open_days")
    assert check(repeat_months="2", open_days="two")[1].get("open_days")


async def test_staff_make_a_survey_repeat_see_its_rounds_side_by_side_and_stop_it(make_client) -> None:
    fake = Participation()
    repeating = {**SURVEY, "id": "srv-1", "recurrence": {"every_months": 3, "open_days": 21, "stopped_at": None},
                 "series_id": "srv-0", "wave": 2, "next_wave_at": "2027-02-20T10:00:00Z"}  # fmt: skip

    def with_waves(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/surveys/srv-1/waves":
            fake.asked.append(request)
            return httpx.Response(200, json=WAVES)
        if request.url.path == "/v1/surveys/srv-1/stop-repeating":
            fake.asked.append(request)
            return httpx.Response(200, json={**repeating, "next_wave_at": None})
        return fake(request)

    async for client in make_client(with_waves, **STAFF):
        await sign_in(client)
        page = await client.get("/staff/hubs/hub-a/participation/surveys/new")
        assert 'name="repeat_months"' in page.text and "(quarterly)" in page.text
        form = {"csrf_token": csrf_of(page.text), "template": "own", "title": "How is it here?",
                "question-1-text": "How welcome do you feel?", "question-1-kind": "scale",
                "repeat_months": "1", "open_days": "40"}  # fmt: skip
        refused = await client.post("/staff/hubs/hub-a/participation/surveys/new", data=form)
        assert refused.status_code == 400 and "close before the next one opens" in refused.text
        assert 'value="40"' in refused.text  # what was typed is kept
        form.update(repeat_months="3", open_days="21")
        assert (await client.post("/staff/hubs/hub-a/participation/surveys/new", data=form)).status_code == 303
        assert json.loads(fake.last("/v1/surveys").content)["recurrence"] == {"every_months": 3, "open_days": 21}

        fake.survey = repeating
        page = await client.get("/staff/surveys/srv-1")
        words = text_of(page.text)
        assert "Every 3 months (quarterly), each round open for 21 days. This is round 2" in words
        assert "Round by round" in words and "Round 1 : 6 people" in words and "Round 2 (this one)" in words
        assert '<a href="/staff/surveys/srv-0">Round 1</a>' in page.text
        assert "How welcome do you feel? (average up by 1.5 since round 1)" in words
        assert "Round 1 6 2.5" in words and "Round 2 4 4.0" in words
        assert "Round 2 4 75.0% 25.0%" in words  # the choice's shares per round
        assert '<th scope="col">Weekly</th>' in page.text
        stop = await client.post("/staff/surveys/srv-1/stop-repeating", data={"csrf_token": csrf_of(page.text)})
        assert stop.status_code == 303 and stop.headers["location"] == "/staff/surveys/srv-1"
        assert fake.last("/v1/surveys/srv-1/stop-repeating").headers["If-Match"] == '"v3"'
        listed = text_of((await client.get("/staff/hubs/hub-a/participation/surveys")).text)
        assert "Your hub (round 2, repeats)" in listed
