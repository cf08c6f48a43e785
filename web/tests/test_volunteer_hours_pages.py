"""Checking in with a shift's QR code, logging hours, the staff hours queue, awards, accreditations and
the thank-you wall, against the real running services (conftest's Stack: every service and the web app
as processes on the test Kafka and MongoDB, nothing mocked), driven over HTTP as a browser without
JavaScript would. Each form: it works, bad input is answered 4xx with nothing changed, the wrong
person or hub is refused, and a form without the session's CSRF token is refused.

Demo data puts Amira (Northfield) on a food bank shift running now; the browser journey has Jo
(Riverside), so the two files do not meet.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from web_testkit import csrf_of

from hub_web.check_in import CODE_MINUTES, CODE_SALT, CheckInCodes, qr_svg

if TYPE_CHECKING:
    from conftest import Stack

pytestmark = pytest.mark.integration

AMIRA = "demo-vol-amira-account"
JO = "demo-vol-jo-account"


def browser(stack: Stack) -> httpx.Client:
    """A cookie-keeping client that does not follow redirects (the tests look at where they go)."""
    return httpx.Client(base_url=stack.web_url, timeout=30)


def sign_in_volunteer(client: httpx.Client, sub: str, next_url: str = "") -> httpx.Response:
    token = csrf_of(client.get("/sign-in").text)
    return client.post("/dev/sign-in", data={"csrf_token": token, "sub": sub, "next": next_url})


def sign_in_staff(client: httpx.Client, username: str) -> None:
    token = csrf_of(client.get("/sign-in").text)
    signed = client.post("/sign-in", data={"csrf_token": token, "username": username, "password": "demo-password"})
    assert signed.status_code == 303, signed.text


def post(client: httpx.Client, path: str, page: str, **data: str) -> httpx.Response:
    """A form sent from ``page`` (a path), with the CSRF token that page carries."""
    return client.post(path, data={"csrf_token": csrf_of(client.get(page).text), **data})


def text(response: httpx.Response) -> str:
    """The page's words with tags and runs of white space collapsed, for plain-English assertions."""
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())
    return re.sub(r" ([:.,;!?)])", r"\1", words)  # a tag before punctuation left a space


def old_code(stack: Stack, shift_id: str) -> str:
    """A genuine code for the shift made just over its lifetime ago (a photo of an earlier QR code)."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - CODE_MINUTES * 60 - 5

    return URLSafeTimedSerializer(stack.session_secret, salt=CODE_SALT, signer=Earlier).dumps(shift_id)


@pytest.fixture(scope="module")
def staff(stack: Stack) -> Iterator[httpx.Client]:
    with browser(stack) as client:
        sign_in_staff(client, "northfield")
        yield client


@pytest.fixture(scope="module")
def other_staff(stack: Stack) -> Iterator[httpx.Client]:
    with browser(stack) as client:
        sign_in_staff(client, "riverside")
        yield client


@pytest.fixture(scope="module")
def amira(stack: Stack) -> Iterator[httpx.Client]:
    with browser(stack) as client:
        yield client


@pytest.fixture(scope="module")
def shift_now(staff: httpx.Client) -> str:
    """Northfield's demo shift running now, as the dashboard lists it under 'Shifts today'."""
    dashboard = staff.get("/staff/hubs/hub-northfield")
    assert dashboard.status_code == 200
    found = re.search(r'href="/staff/shifts/(demo-shift-northfield-foodbank-now-\d+)"', dashboard.text)
    assert found, "the dashboard lists no shift running now"
    return found.group(1)


@pytest.fixture(scope="module")
def checked_out(stack: Stack, staff: httpx.Client, amira: httpx.Client, shift_now: str) -> str:
    """Amira checks in and out with the code on the staff page; every wrong way is refused first."""
    page = staff.get(f"/staff/shifts/{shift_now}")
    assert page.status_code == 200
    url = re.search(r'data-check-in-url="([^"]+)"', page.text).group(1)
    path = url.removeprefix(stack.web_url)
    assert path.startswith("/volunteer/check-in/") and shift_now not in path  # the shift only, signed
    # The picture on the page is the QR code of that address.
    label = html.unescape(re.search(r'<svg role="img"[^>]*><title>(.*?)</title>', page.text).group(1))
    assert str(qr_svg(url, label)) in page.text

    # Not signed in yet: sign in, and come back to the code.
    first = amira.get(path)
    assert first.status_code == 303 and first.headers["location"] == f"/sign-in?next={path}"
    signed = sign_in_volunteer(amira, AMIRA, path)
    assert signed.status_code == 303 and signed.headers["location"] == path
    shown = amira.get(path)
    assert shown.status_code == 200 and "Check in" in text(shown) and "Food bank helper" in text(shown)

    no_csrf = amira.post(path, data={"action": "in"})
    assert no_csrf.status_code == 400 and "Your form has expired" in no_csrf.text
    odd = post(amira, path, path, action="teleport")
    assert odd.status_code == 400 and "Choose to check in or to check out" in text(odd)
    stale = old_code(stack, shift_now)
    assert amira.get(f"/volunteer/check-in/{stale}").status_code == 410  # last week's photo
    late = post(amira, f"/volunteer/check-in/{stale}", path, action="in")
    assert late.status_code == 410 and "This check-in code has expired" in text(late)
    assert amira.get(f"/volunteer/check-in/{path.rsplit('/', 1)[1]}x").status_code == 410  # forged
    assert "You checked in at" not in text(amira.get(path))  # none of it checked her in

    # Someone not on the shift (another hub's volunteer) opening the same code is not checked in.
    with browser(stack) as jo:
        sign_in_volunteer(jo, JO)
        assert "You are not signed up to this shift" in text(jo.get(path))
        assert post(jo, path, path, action="in").status_code == 409

    checked_in = post(amira, path, path, action="in")
    assert checked_in.status_code == 303 and checked_in.headers["location"] == "/volunteer/me#hours"
    assert "You are checked in" in text(amira.get("/volunteer/me"))
    again = post(amira, path, path, action="in")
    assert again.status_code == 409 and "Already checked in" in text(again)
    assert "checked in" in text(staff.get(f"/staff/shifts/{shift_now}"))  # the roster says so

    out = post(amira, path, path, action="out")
    assert out.status_code == 303
    assert "You are checked out" in text(amira.get("/volunteer/me"))
    assert "and out at" in text(amira.get(path))
    return shift_now


def test_a_volunteer_checks_in_and_out_with_the_code_on_the_staff_page(checked_out: str) -> None:
    assert checked_out.startswith("demo-shift-northfield-foodbank-now-")


def test_a_volunteer_logs_hours_staff_send_them_back_then_approve_them_into_a_milestone(
    checked_out: str, staff: httpx.Client, other_staff: httpx.Client, amira: httpx.Client
) -> None:
    form = "/volunteer/hours/new"
    page = amira.get(form)
    assert page.status_code == 200 and checked_out in page.text  # checked out within a minute: no hours yet
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    assert amira.post("/volunteer/hours", data={"shift_id": checked_out, "hours": "3"}).status_code == 400
    for bad, message in (
        ({"hours": ""}, "Enter how many hours you volunteered"),
        ({"hours": "lots"}, "Enter the hours as a number"),
        ({"hours": "30"}, "no more than 24"),
        ({"hours": "2", "shift_id": "demo-shift-northfield-litter-w1"}, "Choose the shift you did"),
    ):
        refused = post(amira, "/volunteer/hours", form, **{"shift_id": checked_out, "idempotency_key": key, **bad})
        assert refused.status_code == 400 and message in text(refused), bad
    assert "Waiting for approval" not in text(amira.get("/volunteer/me"))  # nothing was logged

    logged = post(amira, "/volunteer/hours", form, shift_id=checked_out, hours="3", idempotency_key=key)
    assert logged.status_code == 303 and logged.headers["location"] == "/volunteer/me#hours"
    mine = text(amira.get("/volunteer/me"))
    assert "3 hours waiting for approval" in mine and "Waiting for approval" in mine
    assert "You have no shifts to log hours for" in text(amira.get(form))  # once per shift
    twice = post(amira, "/volunteer/hours", form, shift_id=checked_out, hours="3", idempotency_key=key)
    assert twice.status_code == 400 and "Choose the shift you did" in text(twice)

    queue_path = "/staff/hubs/hub-northfield/hours"
    assert other_staff.get(queue_path).status_code == 403  # another hub's staff
    assert amira.get(queue_path).status_code == 303  # not staff: sign in
    queue = staff.get(queue_path)
    assert queue.status_code == 200 and "Amira Khan: 3 hours" in text(queue)
    hours_id = re.search(r'action="/staff/hours/(hrs[^"/]+)/approve"', queue.text).group(1)

    no_reason = post(staff, f"/staff/hours/{hours_id}/reject", queue_path, hub_id="hub-northfield", reason="")
    assert no_reason.status_code == 400 and "Say why" in text(no_reason)
    elsewhere = "/staff/hubs/hub-riverside"
    not_theirs = post(other_staff, f"/staff/hours/{hours_id}/approve", elsewhere, hub_id="hub-riverside")
    assert not_theirs.status_code == 403  # the service: not staff of the entry's hub
    wrong_hub = post(other_staff, f"/staff/hours/{hours_id}/approve", elsewhere, hub_id="hub-northfield")
    assert wrong_hub.status_code == 403
    assert staff.post(f"/staff/hours/{hours_id}/approve", data={"hub_id": "hub-northfield"}).status_code == 400
    assert "Amira Khan: 3 hours" in text(staff.get(queue_path))  # still waiting

    sent_back = post(
        staff, f"/staff/hours/{hours_id}/reject", queue_path, hub_id="hub-northfield", reason="The shift was 2 hours"
    )
    assert sent_back.status_code == 303
    mine = text(amira.get("/volunteer/me"))
    assert "Not approved" in mine and "The hub said: The shift was 2 hours" in mine
    page = amira.get(form)
    assert checked_out in page.text  # rejected hours may be logged again
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    corrected = post(amira, "/volunteer/hours", form, shift_id=checked_out, hours="2", idempotency_key=key)
    assert corrected.status_code == 303

    queue = staff.get(queue_path)
    hours_id = re.search(r'action="/staff/hours/(hrs[^"/]+)/approve"', queue.text).group(1)
    approved = post(staff, f"/staff/hours/{hours_id}/approve", queue_path, hub_id="hub-northfield")
    assert approved.status_code == 303 and "Approved 2 hours" in text(staff.get(queue_path))
    assert "There are no hours waiting for approval" in text(staff.get(queue_path))
    again = post(staff, f"/staff/hours/{hours_id}/approve", queue_path, hub_id="hub-northfield")
    assert again.status_code == 303 and "already approved" in text(staff.get(queue_path))
    mine = text(amira.get("/volunteer/me"))
    assert "2 hours approved" in mine and "2 hours milestone reached" in mine


def test_staff_give_an_award_and_record_training_and_the_volunteer_and_the_wall_show_them(
    stack: Stack, staff: httpx.Client, other_staff: httpx.Client, amira: httpx.Client
) -> None:
    if "Your volunteering" not in amira.get("/volunteer/me").text:
        sign_in_volunteer(amira, AMIRA)
    record = "/staff/volunteers/demo-vol-amira"
    page = staff.get(record)
    assert page.status_code == 200 and "Give an award" in page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    award = {"award_title": "Volunteer of the Month", "citation": "Kept the food bank open in the snow",
             "period": "November 2026", "public": "yes", "idempotency_key": key}  # fmt: skip
    assert staff.post(f"{record}/awards", data=award).status_code == 400  # no CSRF token
    empty = post(staff, f"{record}/awards", record, **{**award, "citation": ""})
    assert empty.status_code == 400 and "Say what the award is for" in text(empty)
    assert post(other_staff, f"{record}/awards", "/staff/hubs/hub-riverside", **award).status_code == 403
    assert "Kept the food bank open" not in text(amira.get("/volunteer/me"))
    wall = "/hubs/hub-northfield/thank-you"
    assert "Kept the food bank open" not in text(staff.get(wall))

    given = post(staff, f"{record}/awards", record, **award)
    assert given.status_code == 303
    repeat = post(staff, f"{record}/awards", record, **award)  # the same form sent twice: one award
    assert repeat.status_code == 303
    assert text(amira.get("/volunteer/me")).count("Kept the food bank open in the snow") == 1
    with browser(stack) as anyone:
        shown = text(anyone.get(wall))
        assert "Amira: Volunteer of the Month" in shown and "Kept the food bank open in the snow" in shown
        assert "Khan" not in shown and "amira@example.org" not in shown  # first name only
        assert 'href="/hubs/hub-northfield/thank-you"' in anyone.get("/hubs/hub-northfield").text

    training = {"accreditation": "Food hygiene level 2", "issuer": "Northfield College", "skill_id": "food-hygiene",
                "awarded-day": "1", "awarded-month": "9", "awarded-year": "2020",
                "expires-day": "1", "expires-month": "9", "expires-year": "2023"}  # fmt: skip
    for bad, message in (
        ({"accreditation": ""}, "Enter the name of the training"),
        ({"expires-year": "2019"}, "The expiry date must be after the date it was awarded"),
        ({"awarded-day": "31", "awarded-month": "2"}, "must be a real date"),
        ({"skill_id": "juggling"}, "Choose a skill from the list"),
    ):
        refused = post(staff, f"{record}/accreditations", record, **{**training, **bad})
        assert refused.status_code == 400 and message in text(refused), bad
    assert post(other_staff, f"{record}/accreditations", "/staff/hubs/hub-riverside", **training).status_code == 403
    assert "Food hygiene level 2" not in text(amira.get("/volunteer/me"))
    assert post(staff, f"{record}/accreditations", record, **training).status_code == 303
    first_aid = {**training, "accreditation": "Emergency first aid", "issuer": "St John Ambulance",
                 "skill_id": "", "awarded-year": "2026", "awarded-month": "1",
                 "expires-year": "2029", "expires-month": "1"}  # fmt: skip
    assert post(staff, f"{record}/accreditations", record, **first_aid).status_code == 303
    mine = text(amira.get("/volunteer/me"))
    assert "Food hygiene level 2 From Northfield College" in mine and "Expired on Friday 1 September 2023" in mine
    assert "Emergency first aid" in mine and "Valid until Monday 1 January 2029" in mine


def test_the_new_pages_ask_the_right_people_to_sign_in(stack: Stack, staff: httpx.Client, shift_now: str) -> None:
    with browser(stack) as visitor:
        for path in ("/volunteer/hours/new", "/staff/hubs/hub-northfield/hours", f"/staff/shifts/{shift_now}/door"):
            assert visitor.get(path).status_code == 303, path
        assert visitor.get("/hubs/hub-riverside/thank-you").status_code == 200  # public
        assert visitor.get("/hubs/no-such-hub/thank-you").status_code == 404
    assert staff.get("/volunteer/hours/new").status_code == 303  # staff log no hours of their own here
    door = staff.get(f"/staff/shifts/{shift_now}/door")
    assert door.status_code == 200 and f'data-renew="/staff/shifts/{shift_now}/qr?large=1"' in door.text
    assert 'http-equiv="refresh"' not in door.text  # a page reloading on a timer fails WCAG 2.2.1
    fresh = staff.get(f"/staff/shifts/{shift_now}/qr?large=1")  # what hub.js swaps in
    assert fresh.status_code == 200 and "<figure" in fresh.text and 'role="img"' in fresh.text
    assert "<html" not in fresh.text  # the figure alone
    with browser(stack) as riverside:
        sign_in_staff(riverside, "riverside")
        assert riverside.get(f"/staff/shifts/{shift_now}/qr").status_code == 403
    with browser(stack) as visitor:
        assert visitor.get(f"/staff/shifts/{shift_now}/qr").status_code == 303


def test_a_code_names_only_its_shift_and_is_signed() -> None:
    codes = CheckInCodes("a-key")
    code = codes.make("shift-1")
    assert codes.shift_of(code) == "shift-1"
    assert CheckInCodes("another-key").shift_of(code) is None
    assert codes.shift_of(code[:-2]) is None
