"""The web app's own behaviour, with the services behind an httpx MockTransport (view logic only:
the journeys against the real services are in test_browser_journeys.py)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest
from web_testkit import ISSUE, SECRET, csrf_of

from hub_testkit.tokens import decode as decode_token
from hub_testkit.tokens import issue_token
from hub_web.accounts import hash_password
from hub_web.app import create_app
from hub_web.settings import WebSettings


async def test_pages_are_html_with_security_headers_and_a_skip_link(make_client) -> None:
    async for client in make_client():
        page = await client.get("/")
        assert page.status_code == 200 and "Alpha Hub" in page.text
        assert '<a href="#main" class="skip-link">' in page.text and '<main id="main"' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
        cookie = page.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


async def test_a_form_without_the_sessions_csrf_token_is_refused(make_client) -> None:
    async for client in make_client():
        await client.get("/report")
        refused = await client.post("/report", data={"step": "place", "csrf_token": "forged"})
        assert refused.status_code == 400 and "Your form has expired" in refused.text
        page = await client.get("/report")
        accepted = await client.post("/report", data={"step": "place", "csrf_token": csrf_of(page.text)})
        assert accepted.status_code == 200 and "There is a problem" in accepted.text


async def test_a_service_that_is_down_gives_a_friendly_try_again_page(make_client) -> None:
    def down(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.startswith("/v1/hubs"):
            return httpx.Response(503, json={"title": "Service unavailable"})
        return None

    async for client in make_client(down):
        page = await client.get("/")
        assert page.status_code == 503 and page.headers["retry-after"] == "30"
        assert "Try again in a few minutes" in page.text


async def test_staff_pages_need_a_staff_sign_in_and_wrong_passwords_are_refused(make_client) -> None:
    async for client in make_client(demo_accounts=True):
        assert (await client.get("/staff/hubs/hub-a")).headers["location"] == "/sign-in?next=/staff/hubs/hub-a"
        form = await client.get("/sign-in")
        wrong = await client.post(
            "/sign-in", data={"username": "northfield", "password": "nope", "csrf_token": csrf_of(form.text)}
        )
        assert wrong.status_code == 400 and "The username or password is not right" in wrong.text
        evil = await client.post(
            "/sign-in",
            data={
                "username": "northfield",
                "password": "demo-password",
                "csrf_token": csrf_of(wrong.text),
                "next": "//evil.example/",
            },
        )
        assert evil.status_code == 303 and evil.headers["location"] == "/staff"  # never off-site


async def test_an_email_link_signs_the_resident_in_and_drops_the_token(make_client) -> None:
    async for client in make_client():
        token = issue_token(sub="res-42", role="resident", hubs=["hub-a"], ttl=timedelta(days=30))
        follow = await client.get(f"/issues/iss-1?token={token}")
        assert follow.status_code == 303 and follow.headers["location"] == "/issues/iss-1"
        page = await client.get("/issues/iss-1")
        assert "You reported this problem" in page.text
        staff_token = issue_token(sub="s", role="staff", hubs=["hub-a"])
        other = await client.get(f"/issues/iss-1?token={staff_token}")  # only residents sign in by link
        assert other.status_code == 303
        assert "Your reports" in (await client.get("/issues/iss-1")).text  # still the resident


async def test_the_dev_sign_in_is_off_unless_configured(make_client) -> None:
    async for client in make_client():
        page = await client.get("/sign-in")
        assert "Demo volunteers" not in page.text
        refused = await client.post(
            "/dev/sign-in", data={"sub": "demo-vol-amira-account", "csrf_token": csrf_of(page.text)}
        )
        assert refused.status_code == 403


async def test_a_volunteer_asks_for_a_sign_in_link_and_the_emailed_link_signs_them_in(make_client) -> None:
    asked: list[dict] = []
    volunteer = {"id": "vol-1", "name": "Rita Moreno", "sub": "web-rita", "hub_id": "hub-a", "status": "active"}

    def services(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/volunteers/sign-in-links":
            asked.append(json.loads(request.content))
            return httpx.Response(202, json={"detail": "sent if known"})
        if request.url.path == "/v1/volunteers/me":
            sub = decode_token(request.headers["authorization"].split()[1]).sub
            if sub == "web-rita":
                return httpx.Response(200, json=volunteer, headers={"ETag": '"v1"'})
            return httpx.Response(404, json={"title": "Not found", "detail": "not a volunteer"})
        return None

    async for client in make_client(services):
        form = await client.get("/volunteer/sign-in-link")
        assert form.status_code == 200 and "Email me a link" in form.text
        bad = await client.post("/volunteer/sign-in-link", data={"email": "rita", "csrf_token": csrf_of(form.text)})
        assert bad.status_code == 400 and "correct format" in bad.text and asked == []
        sent = await client.post(
            "/volunteer/sign-in-link", data={"email": "rita@example.org", "csrf_token": csrf_of(form.text)}
        )
        assert sent.status_code == 200 and "Check your email" in sent.text
        assert asked == [{"email": "rita@example.org"}]

        token = issue_token(sub="web-rita", role="resident", ttl=timedelta(hours=1))
        follow = await client.get(f"/volunteer/me?token={token}")
        assert follow.status_code == 303 and follow.headers["location"] == "/volunteer/me"  # token dropped
        assert "Your volunteering" in (await client.get("/sign-in")).text  # signed in as the volunteer

    async for client in make_client(services):
        expired = issue_token(sub="web-rita", role="resident", ttl=timedelta(minutes=-5))
        stale = await client.get(f"/volunteer/me?token={expired}")
        assert stale.status_code == 303 and stale.headers["location"] == "/volunteer/sign-in-link"
        assert "expired" in (await client.get("/volunteer/sign-in-link")).text
        staff = issue_token(sub="web-rita", role="staff", hubs=["hub-a"])
        assert (await client.get(f"/volunteer/me?token={staff}")).headers["location"] == "/volunteer/sign-in-link"


# -- the web map -------------------------------------------------------------------------------------


def map_of(html: str) -> dict:
    """What static/map.js is asked to draw on a page (the data-map attribute, single-quoted JSON)."""
    raw = re.search(r"data-map='([^']*)'", html).group(1)
    return json.loads(raw.replace("&#39;", "'").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


async def test_the_map_settings_reach_the_pages_and_the_content_security_policy(make_client) -> None:
    place = {"id": "ast-1", "hub_id": "hub-a", "kind": "organisation", "name": "Alpha Food Bank",
             "description": "", "location": {"lat": 0.4, "lon": 0.6}}  # fmt: skip
    unplaced = place | {"id": "ast-2", "name": "Online Advice", "location": None}

    def assets(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/assets":
            return httpx.Response(200, json={"items": [place, unplaced], "next_cursor": None})
        return None

    settings = {
        "map_tile_url": "https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png",
        "map_tile_attribution": "© Example Maps <and friends>",
    }
    async for client in make_client(assets, **settings):
        report = await client.get("/report")
        drawn = map_of(report.text)
        assert drawn["tiles"] == settings["map_tile_url"]
        assert drawn["attribution"] == settings["map_tile_attribution"]  # plain text: map.js escapes it
        assert [f["properties"]["name"] for f in drawn["areas"]["features"]] == ["Alpha Hub"]  # the fallback
        assert drawn["pick"] is True and drawn["nearby_url"] == "/report/nearby"
        assert '<link rel="stylesheet" href="/static/leaflet/leaflet.css">' in report.text
        assert '<script src="/static/map.js" defer></script>' in report.text
        assert 'id="lat"' in report.text and 'id="lon"' in report.text  # the no-JavaScript fallback stays
        csp = report.headers["content-security-policy"]
        assert "img-src 'self' data: https://*.tiles.example.org;" in csp and "script-src 'self';" in csp

        places = await client.get("/places")
        assert map_of(places.text)["points"] == [
            {"lat": 0.4, "lon": 0.6, "title": "Alpha Food Bank", "url": "/places/ast-1"}
        ]
        assert "Online Advice" in places.text  # listed, just not on the map
        assert "data-map=" not in (await client.get("/privacy")).text  # only map pages load Leaflet


async def test_a_tile_url_that_no_policy_can_allow_is_refused_at_start() -> None:
    for bad in ("ftp://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/map.png",
                "https://tiles-{s}.example.org/{z}/{x}/{y}.png"):  # fmt: skip
        with pytest.raises(ValueError, match="map tile URL"):
            WebSettings(map_tile_url=bad)


async def test_leaflets_files_are_served_from_the_installed_package(make_client) -> None:
    async for client in make_client():
        script = await client.get("/static/leaflet/leaflet.js")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        assert "Leaflet 1.9.4" in script.text[:300]
        assert (await client.get("/static/leaflet/leaflet.css")).status_code == 200
        icon = await client.get("/static/leaflet/images/marker-icon.png")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
        assert "no-store" not in icon.headers.get("cache-control", "")  # static files hold nobody's data
    with pytest.raises(RuntimeError, match=r"Leaflet .* is missing"):
        create_app(WebSettings(session_secret=SECRET, leaflet_dir="/nonexistent"))


async def test_the_marker_clustering_plugin_is_served_and_the_busy_maps_ask_for_it(make_client) -> None:
    def assets(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/assets":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return None

    async for client in make_client(assets):
        script = await client.get("/static/markercluster/leaflet.markercluster.js")
        assert script.status_code == 200 and "markerClusterGroup" in script.text
        assert (await client.get("/static/markercluster/MarkerCluster.Default.css")).status_code == 200
        places = await client.get("/places")
        assert '<script src="/static/markercluster/leaflet.markercluster.js" defer>' in places.text
        assert map_of(places.text)["cluster"] is True  # the asset map clusters its pins
    with pytest.raises(RuntimeError, match=r"Leaflet.markercluster .* is missing"):
        create_app(WebSettings(session_secret=SECRET, markercluster_dir="/nonexistent"))


async def test_the_report_map_asks_for_open_reports_near_the_chosen_spot(make_client) -> None:
    asked: list[httpx.Request] = []

    def issues(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/issues":
            asked.append(request)
            unplaced = ISSUE | {"id": "iss-2", "lat": None, "lon": None}
            return httpx.Response(200, json={"items": [ISSUE | {"support_count": 3}, unplaced], "next_cursor": None})
        return None

    async for client in make_client(issues):
        nearby = await client.get("/report/nearby?lat=0.5&lon=0.5")
        assert nearby.status_code == 200 and nearby.headers["cache-control"] == "no-store"
        assert nearby.json() == {
            "items": [
                {
                    "lat": 0.5,
                    "lon": 0.5,
                    "title": "Litter",
                    "url": "/issues/iss-1",
                    "status": "Reported",
                    "support_count": 3,
                }
            ]
        }
        params = asked[0].url.params
        assert (params["lat"], params["lon"], params["radius_m"]) == ("0.5", "0.5", "500")
        assert set(params.get_list("status")) == {"reported", "acknowledged", "in_progress", "referred"}
        assert "authorization" not in asked[0].headers  # the public list, read with no one's token
        assert (await client.get("/report/nearby?lat=north&lon=0.5")).status_code == 422
        assert (await client.get("/report/nearby?lat=0.5")).status_code == 422
        assert len(asked) == 1


async def test_the_staff_consoles_map_view_maps_the_hubs_open_issues(make_client) -> None:
    account = {"username": "alpha", "name": "Alpha staff", "role": "staff", "hubs": ["hub-a"],
               "password_hash": hash_password("alpha-password")}  # fmt: skip

    def issues(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/hubs/hub-a/issues":
            return httpx.Response(200, json={"items": [ISSUE], "next_cursor": None})
        return None

    async for client in make_client(issues, staff_accounts=json.dumps([account])):
        await sign_in(client, "alpha", "alpha-password")
        view = await client.get("/staff/hubs/hub-a/issues?view=map")
        assert view.status_code == 200
        drawn = map_of(view.text)
        assert drawn["points"][0] == {"lat": 0.5, "lon": 0.5, "title": "Litter", "url": "/staff/issues/iss-1",
                                           "status": "reported", "support_count": 0}  # fmt: skip
        assert drawn["pick"] is False


# -- the inbox ---------------------------------------------------------------------------------------


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    form = await client.get("/sign-in")
    data = {"username": username, "password": password, "csrf_token": csrf_of(form.text)}
    assert (await client.post("/sign-in", data=data)).status_code == 303


class FakeInbox:
    """The notifications inbox API for one person: three messages, two a page, with their read state."""

    def __init__(self) -> None:
        self.messages = [
            {
                "id": f"msg-{n}",
                "subject": f"Message {n}",
                "body": f"Body {n}",
                "created_at": f"2026-11-2{n}T10:00:00Z",
                "read": n == 1,
                "content_removed_at": None,
            }
            for n in (3, 2, 1)
        ]
        self.readers: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        if not request.url.path.startswith("/v1/inbox"):
            return None
        self.readers.add(decode_token(request.headers["authorization"].split()[1]).sub)
        if request.url.path == "/v1/inbox/unread-count":
            return httpx.Response(200, json={"unread": sum(not m["read"] for m in self.messages)})
        if request.method == "POST":
            found = [m for m in self.messages if request.url.path == f"/v1/inbox/{m['id']}/read"]
            if not found:
                return httpx.Response(404, json={"title": "Not found", "detail": "no such message in your inbox"})
            found[0]["read"] = True
            return httpx.Response(204)
        start = int(request.url.params.get("cursor", "0"))
        limit = 2
        rest = self.messages[start + limit :]
        return httpx.Response(200, json={"items": self.messages[start : start + limit],
                                         "next_cursor": str(start + limit) if rest else None})  # fmt: skip


async def test_staff_read_their_inbox_a_page_at_a_time_and_mark_messages_read(make_client) -> None:
    inbox = FakeInbox()
    async for client in make_client(inbox, demo_accounts=True):
        await sign_in(client, "northfield", "demo-password")
        first = await client.get("/inbox")
        assert first.status_code == 200 and "Message 3" in first.text and "Message 2" in first.text
        assert "Message 1" not in first.text  # on the next page
        assert '<span class="count">2<span class="visually-hidden"> unread</span></span>' in first.text
        assert "You have 2 unread messages." in first.text
        older = re.search(r'href="(/inbox\?cursor=[^"]+)">Older messages', first.text).group(1)
        second = await client.get(older)
        assert "Message 1" in second.text and "Message 3" not in second.text
        assert "Newest messages" in second.text and "Older messages" not in second.text

        read = await client.post("/inbox/msg-2/read", data={"csrf_token": csrf_of(first.text), "cursor": "0"})
        assert read.status_code == 303 and read.headers["location"] == "/inbox?cursor=0"
        after = await client.get("/inbox")
        assert "Message marked as read." in after.text and "You have 1 unread message." in after.text
        assert '<span class="count">1<span' in after.text
        gone = await client.post("/inbox/msg-9/read", data={"csrf_token": csrf_of(first.text)})
        assert gone.status_code == 303 and "could not find that message" in (await client.get("/inbox")).text
        forged = await client.post("/inbox/msg-3/read", data={"csrf_token": "forged"})
        assert forged.status_code == 400 and inbox.messages[0]["read"] is False
        assert inbox.readers == {"staff-northfield"}


async def test_the_inbox_needs_a_volunteer_or_staff_sign_in(make_client) -> None:
    inbox = FakeInbox()
    async for client in make_client(inbox):
        page = await client.get("/inbox")
        assert page.status_code == 303 and page.headers["location"] == "/sign-in?next=/inbox"
        assert 'href="/inbox"' not in (await client.get("/")).text
        form = await client.get("/sign-in")
        refused = await client.post("/inbox/msg-3/read", data={"csrf_token": csrf_of(form.text)})
        assert refused.status_code == 303 and refused.headers["location"] == "/sign-in?next=/inbox"
        assert inbox.readers == set()  # a visitor's page never asks notifications


async def test_a_volunteer_reads_the_messages_addressed_to_their_volunteer_record(make_client) -> None:
    inbox = FakeInbox()
    volunteer = {"id": "vol-1", "name": "Rita Moreno", "sub": "web-rita", "hub_id": "hub-a", "status": "active"}

    def services(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/volunteers/me":
            return httpx.Response(200, json=volunteer, headers={"ETag": '"v1"'})
        return inbox(request)

    async for client in make_client(services):
        token = issue_token(sub="web-rita", role="resident", ttl=timedelta(hours=1))
        await client.get(f"/volunteer/me?token={token}")
        page = await client.get("/inbox")
        assert page.status_code == 200 and "Message 3" in page.text
        assert "/volunteer/preferences" in page.text
        assert inbox.readers == {"vol-1"}  # notifications addresses volunteers by their record


async def test_the_pages_still_work_when_notifications_does_not_answer(make_client) -> None:
    def down(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(503, json={"title": "Unavailable"}) if request.url.path.startswith("/v1/inbox") else None

    async for client in make_client(down, demo_accounts=True):
        await sign_in(client, "northfield", "demo-password")
        home = await client.get("/")
        assert home.status_code == 200 and 'href="/inbox">Messages</a>' in home.text  # no count, no error
        assert (await client.get("/inbox")).status_code == 503


PHOTO_ID = "pho-" + "a" * 32
PHOTO = {"id": PHOTO_ID, "width": 640, "height": 480, "added_by_role": "resident"}
LITTER = {"code": "litter", "name": "Litter", "group": "Street", "description": "", "attributes": [], "active": True}


async def test_photos_chosen_at_the_details_step_are_uploaded_and_sent_with_the_report(make_client) -> None:
    sent: dict[str, httpx.Request] = {}

    def services(request: httpx.Request) -> httpx.Response | None:
        path = request.url.path
        if path == "/v1/hubs/hub-a/services":
            return httpx.Response(200, json={"items": [LITTER], "next_cursor": None})
        if path == "/v1/photos":
            sent["upload"] = request
            return httpx.Response(201, json={"items": [{"id": PHOTO_ID}]})
        if path == "/v1/issues" and request.method == "POST":
            sent["report"] = request
            return httpx.Response(201, json={"issue": ISSUE, "likely_duplicates": []})
        if path == "/v1/issues/iss-2":
            return httpx.Response(200, json={**ISSUE, "id": "iss-2", "photos": [PHOTO]})
        if path == f"/v1/photos/{PHOTO_ID}/thumbnail":
            headers = {"Content-Type": "image/jpeg", "Cache-Control": "public, max-age=300", "ETag": '"t"'}
            return httpx.Response(200, content=b"\xff\xd8\xffthumb", headers=headers)
        return None

    async for client in make_client(services):
        csrf = csrf_of((await client.get("/report")).text)
        answers = {"csrf_token": csrf, "hub_id": "hub-a", "service_code": "litter", "description": "Bags"}
        details = await client.post("/report", data={**answers, "step": "category"})
        assert 'enctype="multipart/form-data"' in details.text
        assert 'type="file"' in details.text and 'accept="image/jpeg,image/png,image/webp"' in details.text

        four = [("photos", (f"p{i}.jpg", b"\xff\xd8\xff", "image/jpeg")) for i in range(4)]
        refused = await client.post("/report", data={**answers, "step": "details"}, files=four)
        assert "Choose up to 3 photos" in refused.text and "upload" not in sent

        one = [("photos", ("IMG_1.jpg", b"\xff\xd8\xffphoto", "image/jpeg"))]
        contact = await client.post("/report", data={**answers, "step": "details"}, files=one)
        assert b"\xff\xd8\xffphoto" in sent["upload"].content and sent["upload"].headers["idempotency-key"]
        assert f'name="photo_id" value="{PHOTO_ID}"' in contact.text  # carried to the last step
        final = {**answers, "step": "contact", "photo_id": PHOTO_ID, "name": "Ann", "email": "ann@example.org"}
        final["csrf_token"] = csrf_of(contact.text)  # the upload signed the browser in as a resident
        done = await client.post("/report", data=final)
        assert done.status_code == 303, done.text[-3000:]
        assert json.loads(sent["report"].content)["photo_ids"] == [PHOTO_ID]

        page = (await client.get("/issues/iss-2")).text
        assert f'<a href="/photos/{PHOTO_ID}"><img src="/photos/{PHOTO_ID}/thumbnail" width="320" height="240"' in page
        assert "Hidden from the public" not in page
        thumbnail = await client.get(f"/photos/{PHOTO_ID}/thumbnail")  # from this site's own origin
        assert thumbnail.content == b"\xff\xd8\xffthumb" and thumbnail.headers["content-type"] == "image/jpeg"
        assert thumbnail.headers["cache-control"] == "public, max-age=300"
        assert thumbnail.headers["x-content-type-options"] == "nosniff"


async def test_the_place_step_finds_an_address_or_postcode_and_fills_in_its_position(make_client) -> None:
    asked: list[str] = []

    def issues(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/places":
            asked.append(request.url.params["q"])
            if request.url.params["q"] == "nowhere":
                return httpx.Response(200, json=[])
            places = [
                {"name": "NF1 1AA", "kind": "postcode", "lat": 0.51, "lon": 0.52},
                {"name": "NF1 1AB", "kind": "postcode", "lat": 0.6, "lon": 0.6},
            ]
            return httpx.Response(200, json=places)
        return None

    async for client in make_client(issues):
        page = await client.get("/report")
        token = csrf_of(page.text)
        found = await client.post(
            "/report", data={"step": "place", "find": "1", "address": "nf1 1aa", "csrf_token": token}
        )
        assert found.status_code == 200 and "We found <strong>NF1 1AA</strong>" in found.text
        assert 'value="0.51"' in found.text and 'value="0.52"' in found.text and "NF1 1AB" in found.text
        missing = await client.post(
            "/report", data={"step": "place", "find": "1", "address": "nowhere", "csrf_token": token}
        )
        assert missing.status_code == 200 and "We could not find that place" in missing.text
        assert asked == ["nf1 1aa", "nowhere"]


# -- You said, we did --------------------------------------------------------------------------------

FIXED = {"id": "iss-9", "service_name": "Litter", "you_said": "Bags by the bench", "we_did": "Cleared",
         "requested_at": "2026-11-01T10:00:00Z",
         "fixed_at": "2026-11-02T10:00:00Z", "lat": 0.5, "lon": 0.5}  # fmt: skip
OUTCOMES = {
    "ideas": {"id": "idea-1", "you_said": "A community fridge", "support_count": 14, "we_did": "Open on Mondays",
              "done_at": "2026-11-03T10:00:00Z"},
    "forum-actions": {"id": "act-1", "meeting_id": "m-1", "you_said": "November forum", "action": "Two benches",
                      "owner": "Parks team", "due_on": "2026-12-01", "we_did": "Benches in",
                      "done_at": "2026-11-04T10:00:00Z"},
    "funded-projects": {"id": "pbp-1", "round_id": "pb-1", "you_said": "Our £10,000", "project": "Planters",
                        "cost": 150_000, "votes": 41, "we_did": "Planted", "done_at": "2026-11-05T10:00:00Z"},
}  # fmt: skip


async def test_you_said_we_did_shows_ideas_forum_actions_and_funded_projects_beside_the_fixes(make_client) -> None:
    asked: list[str] = []

    def issues(request: httpx.Request) -> httpx.Response | None:
        path, cursor = request.url.path, request.url.params.get("cursor")
        asked.append(request.url.path)
        if path == "/v1/hubs/hub-a/you-said-we-did":
            return httpx.Response(200, json={"items": [FIXED], "next_cursor": None if cursor else "older"})
        kind = path.removeprefix("/v1/hubs/hub-a/you-said-we-did/")
        if kind in OUTCOMES:  # the funded projects have a page further back, the others not
            more = "c2" if kind == "funded-projects" and not cursor else None
            return httpx.Response(200, json={"items": [OUTCOMES[kind]] if not cursor else [], "next_cursor": more})
        return None

    async for client in make_client(issues):
        page = await client.get("/hubs/hub-a/you-said-we-did")
        assert page.status_code == 200, page.text
        text = page.text
        assert "Bags by the bench" in text and "Cleared" in text
        for heading, what in [("Ideas taken forward", "A community fridge"), ("Actions from resident forums",
                              "Two benches"), ("Projects residents voted for", "Planters")]:  # fmt: skip
            assert heading in text and what in text
        assert "14 people supported it" in text and "41 votes in Our £10,000" in text
        assert "taken on by Parks team" in text
        assert 'href="/hubs/hub-a/you-said-we-did/funded-projects"' in text
        assert 'href="/hubs/hub-a/you-said-we-did/ideas"' not in text  # nothing further back to read

        asked.clear()  # further back in the fixes: the other logs were on the first page, not asked again
        older = await client.get("/hubs/hub-a/you-said-we-did?cursor=older")
        assert older.status_code == 200 and asked == ["/v1/hubs/hub-a/you-said-we-did"]
        assert "Projects residents voted for" not in older.text

        projects = await client.get("/hubs/hub-a/you-said-we-did/funded-projects")
        assert projects.status_code == 200 and "Planters" in projects.text
        assert 'href="/hubs/hub-a/you-said-we-did/funded-projects?cursor=c2"' in projects.text
        assert "Nothing here yet" in (await client.get("/hubs/hub-a/you-said-we-did/funded-projects?cursor=c2")).text
        assert (await client.get("/hubs/hub-a/you-said-we-did/parking")).status_code == 404
