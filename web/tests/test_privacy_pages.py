"""The personal data pages' own behaviour, with the services behind an httpx MockTransport (view logic
only: the journey against the real services is in test_browser_journeys.py)."""

from __future__ import annotations

import json

import httpx
from web_testkit import csrf_of

from hub_testkit.tokens import issue_token

REQUEST = {
    "id": "pr-1", "kind": "access", "status": "open", "reference": "DP-7", "reason": "letter", "handled_by": "dpo",
    "email": "priya@example.org", "phone": None, "people_found": 3, "received_at": "2026-12-01T10:00:00Z",
    "due_at": "2027-01-01T10:00:00Z", "overdue": False, "completed_at": None, "export_expires_at": None,
    "services": [
        {"service": "volunteers", "status": "answered", "answered_at": "2026-12-01T10:00:05Z",
         "held": [{"kind": "volunteer records", "count": 1, "action": "exported"}]},
        {"service": "issues", "status": "waiting", "answered_at": None, "held": []},
    ],
}  # fmt: skip


async def test_a_resident_asks_and_the_same_page_answers_whatever_the_address(make_client) -> None:
    asked: list[dict] = []

    def notifications(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/privacy/self-requests":
            body = json.loads(request.content)
            if body["email"] == "often@example.org":
                return httpx.Response(429, json={"title": "Too many requests", "detail": "later"})
            asked.append(body)
            return httpx.Response(202, json={"detail": "sent if known"})
        return None

    async for client in make_client(notifications):
        form = await client.get("/privacy/request")
        assert form.status_code == 200 and "Delete everything about me" in form.text
        token = csrf_of(form.text)
        missing = await client.post("/privacy/request", data={"email": "rita@example.org", "csrf_token": token})
        assert missing.status_code == 400 and "Choose what you would like us to do" in missing.text
        bad = await client.post("/privacy/request", data={"kind": "erasure", "email": "rita", "csrf_token": token})
        assert bad.status_code == 400 and asked == []
        sent = await client.post(
            "/privacy/request", data={"kind": "access", "email": "rita@example.org", "csrf_token": token}
        )
        assert sent.status_code == 200 and "Check your email" in sent.text
        assert asked == [{"kind": "access", "email": "rita@example.org"}]
        limited = await client.post(
            "/privacy/request", data={"kind": "access", "email": "often@example.org", "csrf_token": token}
        )
        assert limited.status_code == 400 and "several times today" in limited.text


async def test_the_emailed_link_confirms_once_with_its_own_token(make_client) -> None:
    seen: list[str] = []

    def notifications(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/privacy/confirmations/c1":
            seen.append(request.headers["authorization"])
            if len(seen) > 1:
                return httpx.Response(410, json={"title": "Gone", "detail": "used"})
            return httpx.Response(202, json={"detail": "ok", "kind": "erasure", "due_at": "2027-01-01T00:00:00Z"})
        return None

    link = issue_token(sub="privacy-confirmation:c1", role="resident")
    other = issue_token(sub="privacy-confirmation:c2", role="resident")
    async for client in make_client(notifications):
        assert (await client.get(f"/privacy/confirm/c1?token={other}")).status_code == 410  # another link's token
        page = await client.get(f"/privacy/confirm/c1?token={link}")
        assert page.status_code == 200 and "Confirm my request" in page.text
        done = await client.post("/privacy/confirm/c1", data={"token": link, "csrf_token": csrf_of(page.text)})
        assert (
            done.status_code == 200 and "We cannot contact you" in done.text.replace("\n", " ").replace("  ", " ")
        ) or ("cannot contact you" in done.text)
        assert seen == [f"Bearer {link}"]
        again = await client.post("/privacy/confirm/c1", data={"token": link, "csrf_token": csrf_of(page.text)})
        assert again.status_code == 410 and "no longer works" in again.text


async def test_only_the_privacy_team_sees_the_requests_and_logs_one(make_client) -> None:
    opened: list[dict] = []

    def notifications(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/privacy/requests" and request.method == "GET":
            return httpx.Response(200, json={"items": [REQUEST], "next_cursor": None})
        if request.url.path == "/v1/privacy/requests" and request.method == "POST":
            opened.append({**json.loads(request.content), "key": request.headers["idempotency-key"]})
            return httpx.Response(202, json={**REQUEST, "id": "pr-2"})
        if request.url.path == "/v1/privacy/requests/pr-1":
            return httpx.Response(200, json=REQUEST)
        return None

    async for client in make_client(notifications, demo_accounts=True):
        assert (await client.get("/staff/privacy")).headers["location"] == "/sign-in?next=/staff/privacy"
        form = await client.get("/sign-in")
        staff = {"username": "northfield", "password": "demo-password", "csrf_token": csrf_of(form.text)}
        await client.post("/sign-in", data=staff)
        assert (await client.get("/staff/privacy")).status_code == 303  # hub staff are not the privacy team
        await client.post("/sign-out", data={"csrf_token": csrf_of((await client.get("/")).text)})
        form = await client.get("/sign-in")
        signed_in = await client.post(
            "/sign-in", data={"username": "privacy", "password": "demo-password", "csrf_token": csrf_of(form.text)}
        )
        assert signed_in.headers["location"] == "/staff/privacy"
        queue = await client.get("/staff/privacy")
        assert queue.status_code == 200 and "DP-7" in queue.text and "1 of 2: waiting for issues" in queue.text
        token = csrf_of(queue.text)
        incomplete = await client.post("/staff/privacy", data={"kind": "erasure", "csrf_token": token})
        assert incomplete.status_code == 400 and "Enter your case reference" in incomplete.text and opened == []
        logged = await client.post(
            "/staff/privacy",
            data={"kind": "erasure", "phone": "07700 900123", "reference": "DP-8", "reason": "phone call, ID checked",
                  "idempotency_key": "k-1", "csrf_token": token},
        )  # fmt: skip
        assert logged.headers["location"] == "/staff/privacy/pr-2"
        assert opened == [
            {"kind": "erasure", "email": None, "phone": "07700 900123", "reference": "DP-8",
             "reason": "phone call, ID checked", "key": "k-1"}
        ]  # fmt: skip
        one = await client.get("/staff/privacy/pr-1")
        assert (
            one.status_code == 200
            and "volunteer records (1): exported" in one.text
            and "Waiting for its answer" in one.text
        )
