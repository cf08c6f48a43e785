"""Ward councillors' pages: their ward's brief (participation's councillor brief beside the issues
service's figures and priorities, fetched at once) and their public comment on an idea, with the
services behind an httpx MockTransport (view logic only)."""

from __future__ import annotations

import json

import httpx
from test_participation_pages import IDEA, Participation, text_of
from web_testkit import csrf_of

from hub_web.accounts import hash_password

COUNCILLOR = {"username": "cathy", "name": "Cathy Moss", "role": "councillor", "hubs": ["hub-a"],
              "password_hash": hash_password("cathy-password")}  # fmt: skip
OTHER = {**COUNCILLOR, "username": "dev", "name": "Dev Anand", "hubs": ["hub-b"],
         "password_hash": hash_password("dev-password")}  # fmt: skip
STAFF = {"username": "alpha", "name": "Alpha staff", "role": "staff", "hubs": ["hub-a"],
         "password_hash": hash_password("alpha-password")}  # fmt: skip
ACCOUNTS = {"staff_accounts": json.dumps([COUNCILLOR, OTHER, STAFF])}
BRIEF = {
    "hub_id": "hub-a",
    "awaiting_response": [{"id": "idea-1", "title": "A crossing by the school", "status": "for_response",
                           "support_count": 12, "support_threshold": 10, "proposed_at": "2026-11-01T10:00:00Z",
                           "threshold_reached_at": "2026-11-10T10:00:00Z", "councillor_comments": 1}],
    "most_supported": [{"id": "idea-2", "title": "Plant fruit trees", "status": "open", "support_count": 4,
                        "support_threshold": 10, "proposed_at": "2026-11-02T10:00:00Z",
                        "threshold_reached_at": None, "councillor_comments": 0}],
    "upcoming_meetings": [{"id": "mtg-1", "title": "Winter forum", "starts_at": "2030-12-09T18:30:00Z",
                           "ends_at": "2030-12-09T20:30:00Z",
                           "place": {"kind": "online", "name": "Online", "room_id": None,
                                     "online_url": "https://meet.example.org/f", "room_status": None,
                                     "room_note": None},
                           "registered": 7, "places_left": 23}],
    "open_actions": [{"meeting_id": "mtg-0", "meeting_title": "Autumn forum",
                      "meeting_starts_at": "2026-10-01T18:30:00Z",
                      "action_id": "a-1", "title": "Fix the bus shelter light", "owner": "Highways team",
                      "due_on": "2026-10-20", "overdue": True}],
    "generated_at": "2026-12-04T10:00:00Z",
}  # fmt: skip
STATS = {"hub_id": "hub-a", "reported": 40, "open": 9, "fixed": 31, "median_hours_to_fix": 48.0, "categories": []}
PRIORITY = {"id": "iss-9", "service_name": "Potholes", "description": "A deep pothole on Mill Road",
            "status": "acknowledged", "support_count": 5, "requested_at": "2026-11-20T10:00:00Z"}  # fmt: skip


class Ward(Participation):
    """The fake participation service with the councillor's routes, and the issues service's public ones."""

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        path = request.url.path
        if path == "/v1/hubs/hub-a/councillor-brief":
            self.asked.append(request)
            return httpx.Response(200, json=BRIEF)
        if path == "/v1/hubs/hub-a/stats":
            return httpx.Response(200, json=STATS)
        if path == "/v1/hubs/hub-a/priorities":
            return httpx.Response(200, json={"items": [PRIORITY], "next_cursor": None})
        if path == "/v1/hubs/hub-a/councillor-alerts/me":
            self.asked.append(request)
            return httpx.Response(204)
        if path == "/v1/ideas/idea-1/councillor-comments":
            self.asked.append(request)
            body = json.loads(request.content)
            if "hidden" in body["comment"]:
                return httpx.Response(409, json={"title": "Conflict", "detail": "idea idea-1 was hidden"})
            said = {"id": "cc-1", "name": body["display_name"], "label": "Councillor", "comment": body["comment"],
                    "at": "2026-12-04T10:00:00Z"}  # fmt: skip
            self.idea = {**self.idea, "councillor_comments": [said]}
            return httpx.Response(201, json=self.idea)
        return super().__call__(request)


async def sign_in(client: httpx.AsyncClient, who: str) -> httpx.Response:
    form = await client.get("/sign-in")
    data = {"username": who, "password": f"{who}-password", "csrf_token": csrf_of(form.text)}
    return await client.post("/sign-in", data=data)


async def test_a_councillor_signs_in_to_their_wards_brief_with_the_hubs_problems_beside_it(make_client) -> None:
    fake = Ward()
    async for client in make_client(fake, **ACCOUNTS):
        signed_in = await sign_in(client, "cathy")
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/councillor"
        one_ward = await client.get("/councillor")
        assert one_ward.status_code == 303 and one_ward.headers["location"] == "/councillor/hubs/hub-a"

        page = await client.get("/councillor/hubs/hub-a")

        assert page.status_code == 200, page.text
        words = text_of(page.text)
        assert "Your ward's brief" in words and "9 still open" in words and "Potholes" in words
        assert "A crossing by the school" in words and "1 councillor comment" in words
        assert "Plant fruit trees" in words and "4 of 10 supporters" in words
        assert "Winter forum" in words and "7 registered" in words
        assert "Fix the bus shelter light" in words and "Highways team" in words and "Overdue" in words
        assert 'href="/councillor"' in page.text  # the navigation's "Your ward"
        asked = fake.last("/v1/hubs/hub-a/councillor-brief", "GET")
        assert asked.headers["Authorization"].startswith("Bearer ")  # as the councillor themselves
        assert (await client.get("/councillor/hubs/hub-b")).status_code == 403  # not their ward
        assert (await client.get("/staff")).status_code in (303, 403)  # not hub staff: no console


async def test_the_brief_is_for_councillors_only(make_client) -> None:
    async for client in make_client(Ward(), **ACCOUNTS):
        anonymous = await client.get("/councillor/hubs/hub-a")
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
        await sign_in(client, "alpha")
        assert (await client.get("/councillor/hubs/hub-a")).status_code == 303  # staff are not councillors
    async for client in make_client(Ward(), **ACCOUNTS):
        await sign_in(client, "dev")
        assert (await client.get("/councillor/hubs/hub-a")).status_code == 403


async def test_a_councillor_comments_on_an_idea_of_their_ward_shown_with_the_councillor_label(make_client) -> None:
    fake = Ward()
    fake.idea = {**IDEA, "councillor_comments": []}
    async for client in make_client(fake, **ACCOUNTS):
        before = await client.get("/ideas/idea-1")
        assert "Comment as a councillor" not in before.text  # only for the ward's councillors
        await sign_in(client, "cathy")
        page = await client.get("/ideas/idea-1")
        assert "Comment as a councillor" in page.text and "Cathy Moss" in text_of(page.text)
        form = {"csrf_token": csrf_of(page.text), "comment": "I will raise it.", "idempotency_key": "ck-1"}

        answer = await client.post("/ideas/idea-1/councillor-comment", data=form)

        assert answer.status_code == 303 and answer.headers["location"] == "/ideas/idea-1"
        sent = fake.last("/v1/ideas/idea-1/councillor-comments")
        assert json.loads(sent.content) == {"comment": "I will raise it.", "display_name": "Cathy Moss"}
        assert sent.headers["Idempotency-Key"] == "ck-1"
        shown = text_of((await client.get("/ideas/idea-1")).text)
        assert "What councillors said" in shown and "Councillor Cathy Moss" in shown and "I will raise it." in shown
        assert "published on the idea" in shown
        empty = await client.post("/ideas/idea-1/councillor-comment", data={"csrf_token": form["csrf_token"]})
        assert empty.status_code == 400 and "Write your comment" in empty.text
        refused = await client.post(
            "/ideas/idea-1/councillor-comment", data={**form, "comment": "Too late, it is hidden"}
        )
        assert refused.status_code == 409 and "Idea idea-1 was hidden" in refused.text


async def test_a_councillor_of_another_ward_and_residents_get_no_comment_form(make_client) -> None:
    fake = Ward()
    fake.idea = {**IDEA, "councillor_comments": [{"id": "cc-1", "name": "Cathy Moss", "label": "Councillor",
                 "comment": "I back this.", "at": "2026-12-04T10:00:00Z"}]}  # fmt: skip
    async for client in make_client(fake, **ACCOUNTS):
        await sign_in(client, "dev")
        page = await client.get("/ideas/idea-1")
        assert "Comment as a councillor" not in page.text
        assert "Councillor Cathy Moss" in text_of(page.text)  # everyone sees what councillors said
        posted = await client.post(
            "/ideas/idea-1/councillor-comment", data={"csrf_token": csrf_of(page.text), "comment": "Me too please"}
        )
        assert posted.status_code == 403 and not [r for r in fake.asked if "councillor-comments" in r.url.path]


async def test_a_councillor_asks_for_their_wards_alerts_at_an_email_address(make_client) -> None:
    fake = Ward()
    async for client in make_client(fake, **ACCOUNTS):
        await sign_in(client, "cathy")
        page = await client.get("/councillor/hubs/hub-a")
        csrf = csrf_of(page.text)
        bad = await client.post("/councillor/hubs/hub-a/alerts", data={"csrf_token": csrf, "email": "nope"})
        assert bad.status_code == 400 and "Your ward's brief" in bad.text

        answer = await client.post(
            "/councillor/hubs/hub-a/alerts", data={"csrf_token": csrf, "email": "cathy.moss@council.example"}
        )

        assert answer.status_code == 303 and answer.headers["location"] == "/councillor/hubs/hub-a"
        sent = fake.last("/v1/hubs/hub-a/councillor-alerts/me", "PUT")
        assert json.loads(sent.content) == {"display_name": "Cathy Moss", "email": "cathy.moss@council.example"}
        assert "cathy.moss@council.example" in (await client.get("/councillor/hubs/hub-a")).text
        other = await client.post("/councillor/hubs/hub-b/alerts", data={"csrf_token": csrf, "email": "c@x.example"})
        assert other.status_code == 403
