"""The done-means journeys in a real headless Chromium (Debian's, driven by Playwright) against the
real running services, with axe-core run on every page visited: no serious or critical violations.

1. A resident reports an issue in four steps and sees it on the hub page.
2. Another resident picks the spot on the map (a click; "use my location" under the pages' real
   Content-Security-Policy), sees the first report marked nearby, and reports.
3. A volunteer registers; staff record a background check and approve them; the volunteer signs up
   to a shift, finds both messages in their inbox and marks one read.
4. Staff move the issue to fixed; the resident's issue page shows the update, and the
   acknowledgement email's link signs a resident in to follow their report.
5. A resident reports with a photo from their phone (GPS in its EXIF) and sees it on the issue page;
   the images the page loads carry no EXIF.
6. Staff sign in with their council account through the real OpenID provider (Keycloak) and sign out.
7. A volunteer checks in and out with the QR code staff show for the shift and logs its hours; staff
   approve them and give an award; the volunteer sees the milestone, award and training (with expiry)
   and the milestone message, and the thank-you wall shows the award by first name.
8. Staff open the insight dashboard over six months of history (written into the services'
   databases as they store it), see its charts and their tables, and download a series as CSV.
9. Staff find the first report with the console's search and filters and open the results as a map.
10. A resident asks to borrow a litter-picking kit; staff approve it on their dashboard; the resident
   sees it reserved and is emailed the answer.

With HUB_WEB_SCREENSHOTS set to a folder, the journeys also save screenshots of the map, inbox,
privacy, check-in, hours, thank-you wall and insight pages there (``HUB_WEB_SCREENSHOTS=web/docs``, the
README's pictures); ordinary runs write nothing.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from hub_common.demo import HUBS
from hub_testkit.images import image_file, jpeg_with_gps, metadata_of
from hub_testkit.insight import seed_insight_history
from hub_testkit.keycloak import DEMO_PASSWORD as KEYCLOAK_DEMO_PASSWORD
from hub_testkit.keycloak import Keycloak

if TYPE_CHECKING:
    from conftest import Stack

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / ".hub" / "web-tools" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright's own browser downloads are not used
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Skipped where `make install` has not put them in place; never in CI, where a missing browser
# must fail the run rather than hide the journeys.
MUST_RUN = bool(os.environ.get("CI"))
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not MUST_RUN and not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/infra.sh install)"
    ),
    pytest.mark.skipif(not MUST_RUN and not AXE.exists(), reason="needs axe-core (scripts/infra.sh install)"),
]

AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SCREENSHOTS = os.environ.get("HUB_WEB_SCREENSHOTS")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


class AxeAudit:
    """Runs axe-core on each page as the journey reaches it and keeps the serious or critical findings."""

    def __init__(self) -> None:
        self.source = AXE.read_text()
        self.audited: list[str] = []
        self.problems: list[str] = []

    def check(self, page: Page) -> None:
        page.wait_for_load_state("load")
        page.evaluate(self.source)
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html).slice(0, 3)}))",
            AXE_RULES,
        )
        self.audited.append(page.url)
        for v in violations:
            if v["impact"] in ("serious", "critical"):
                self.problems.append(f"{page.url}: {v['id']} ({v['impact']}) {v['help']} {v['nodes']}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe() -> Iterator[AxeAudit]:
    audit = AxeAudit()
    yield audit
    assert audit.audited, "no page was audited"
    assert not audit.problems, "accessibility problems:\n" + "\n".join(audit.problems)


expect.set_options(timeout=45_000)


def new_page(browser: Browser) -> Page:
    # The pages' CSP forbids injected scripts; bypass it so axe-core can be added to the page.
    context = browser.new_context(bypass_csp=True, base_url=None)
    context.set_default_timeout(45_000)  # a loaded 2-core CI machine runs five services
    return context.new_page()


def sign_in_staff(page: Page, stack: Stack, axe: AxeAudit) -> None:
    page.goto(stack.web_url + "/sign-in")
    axe.check(page)
    page.get_by_label("Username").fill("northfield")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northfield Community Hub")


def eventually(check, timeout_s: float = 30.0, every_s: float = 0.5):
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(every_s)


@pytest.fixture(scope="module")
def reported(browser: Browser, stack: Stack, axe: AxeAudit) -> dict[str, str]:
    """Journey 1: a resident reports litter with its exact position; the report page and the hub page show it."""
    page = new_page(browser)
    web = stack.web_url
    page.goto(web + "/")
    axe.check(page)
    page.get_by_role("link", name="Report a problem in your area").click()
    axe.check(page)
    page.get_by_role("button", name="Continue").click()  # nothing filled in: the error summary
    expect(page.locator(".error-summary")).to_contain_text("Enter the address or describe where the problem is")
    axe.check(page)
    page.get_by_label("Northfield Community Hub").check()
    page.get_by_label("Address or description of the place").fill("Bus stop outside 12 High Street")
    page.get_by_label("Latitude", exact=True).fill("53.8151")
    page.get_by_label("Longitude", exact=True).fill("-1.5502")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="What is the problem?")).to_be_visible()
    axe.check(page)
    page.get_by_label("Litter", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about the litter")
    axe.check(page)
    description = f"Bags of rubbish by the bus stop {stack.unique}"
    page.get_by_label("Describe the problem").fill(description)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill("Sam Resident")
    page.get_by_role("button", name="Send report").click()  # no email or phone: asked again
    expect(page.locator(".error-summary")).to_contain_text("Enter an email address or a phone number")
    axe.check(page)
    email = f"sam-{stack.unique}@example.org"
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("Your report has been sent")
    issue_id = re.search(r"/issues/(iss-[0-9a-f]+)$", page.url).group(1)
    expect(page.get_by_text("You reported this problem")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="More about Northfield Community Hub").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northfield Community Hub")
    priorities = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Priorities")))
    expect(priorities.get_by_text(description)).to_be_visible()
    axe.check(page)
    page.context.close()
    return {"issue_id": issue_id, "description": description, "email": email}


def test_a_resident_reports_an_issue_and_sees_it_on_the_hub_page(reported: dict[str, str]) -> None:
    assert reported["issue_id"].startswith("iss-")


def send_litter_report(page: Page, description: str, email: str) -> None:
    """The report flow's steps after the place: what, details, contact; then the report is sent."""
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Litter", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Describe the problem").fill(description)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill("Kim Resident")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("Your report has been sent")


def test_a_resident_reports_with_a_photo_and_the_page_shows_it_without_exif(
    browser: Browser, stack: Stack, axe: AxeAudit
) -> None:
    """Journey: the resident finds the place by its postcode, moves the pin on the map to the exact
    spot, and sends a photo taken with a phone (GPS in its EXIF); the issue page shows it, stripped."""
    page = new_page(browser)
    web = stack.web_url
    page.goto(web + "/report")
    page.get_by_label("Address or description of the place").fill("nf1 1aa")
    page.get_by_role("button", name="Find this address or postcode").click()
    expect(page.get_by_role("status").filter(has_text="We found")).to_contain_text("NF1 1AA")
    expect(page.get_by_label("Latitude", exact=True)).to_have_value("53.8149")
    outlines = page.locator(".leaflet-overlay-pane path")
    expect(outlines).to_have_count(2)
    page.locator("figure[data-map]").scroll_into_view_if_needed()
    box = outlines.first.bounding_box()  # Northfield: the pin moved to the middle of it
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
    expect(page.get_by_role("button", name="The place you chose")).to_be_visible()
    expect(page.get_by_label("Latitude", exact=True)).not_to_have_value("53.8149")
    expect(page.get_by_label("Latitude", exact=True)).to_have_value(re.compile(r"^53\.8\d+$"))
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Litter", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Describe the problem").fill(f"Dumped bags at the park gates {stack.unique}")
    page.get_by_label("Yes").check()
    photo = {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(3000, 2000)}
    page.get_by_label("Photos (optional)").set_input_files([photo])
    axe.check(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill("Lee Resident")
    page.get_by_label("Email address").fill(f"lee-{stack.unique}@example.org")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("Your report has been sent")
    thumbnail = page.get_by_role("img", name=re.compile("^Photo 1 of the problem"))
    expect(thumbnail).to_be_visible()
    axe.check(page)
    screenshot(page, "issue-photo")

    link = page.get_by_role("link", name=re.compile("^Photo 1 of the problem")).get_attribute("href")
    for src in (thumbnail.get_attribute("src"), link):
        served = page.request.get(web + src)
        assert served.ok and served.headers["content-type"] == "image/jpeg"
        found = metadata_of(served.body())
        assert found["exif"] == {} and found["gps"] == {} and found["info"] == [], found
    assert metadata_of(page.request.get(web + link).body())["size"] == (2048, 1365)  # resized
    # Under the pages' real Content-Security-Policy the thumbnail loads from the web app's own origin.
    strict = browser.new_context().new_page()
    strict.goto(page.url)
    loaded = strict.get_by_role("img", name=re.compile("^Photo 1 of the problem"))
    expect(loaded).to_be_visible()
    assert loaded.evaluate("img => img.complete && img.naturalWidth > 0")
    strict.context.close()
    issue_id = page.url.rsplit("/", 1)[1]
    page.context.close()
    staff_hide_the_photo_and_add_one_of_the_work(browser, stack, axe, issue_id, src=link)


def staff_hide_the_photo_and_add_one_of_the_work(
    browser: Browser, stack: Stack, axe: AxeAudit, issue_id: str, src: str
) -> None:
    """Moderation from the console: the resident's photo leaves the public page (and its address
    stops answering the public), staff still see it; staff then add a photo with their update."""
    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.goto(f"{stack.web_url}/staff/issues/{issue_id}")
    expect(staff.get_by_role("img", name=re.compile("^Photo 1, sent by the reporter"))).to_be_visible()
    staff.get_by_role("button", name="Hide photo 1 from the public").click()  # no reason given
    expect(staff.locator(".error-summary")).to_contain_text("Say why the photo is hidden")
    axe.check(staff)
    staff.get_by_label("Why hide photo 1?").fill("Shows a person's face")
    staff.get_by_role("button", name="Hide photo 1 from the public").click()
    expect(staff.get_by_role("status")).to_contain_text("The photo is hidden from the public")
    expect(staff.get_by_text("Shows a person's face")).to_be_visible()
    axe.check(staff)

    public = browser.new_context().new_page()
    public.goto(f"{stack.web_url}/issues/{issue_id}")
    expect(public.get_by_role("heading", name="Updates")).to_be_visible()
    expect(public.get_by_role("img", name=re.compile("^Photo"))).to_have_count(0)
    assert public.request.get(stack.web_url + src).status == 404  # not served to the public any more

    staff.get_by_label("Acknowledge").check()
    staff.get_by_label("Public note").fill("We have seen it and will clear it this week.")
    work = {"name": "work.png", "mimeType": "image/png", "buffer": image_file("PNG", 800, 600)}
    staff.get_by_label("Photos with the note (optional)").set_input_files([work])
    staff.get_by_role("button", name="Save and tell residents").click()
    expect(staff.get_by_role("status")).to_contain_text("Done: acknowledge")
    expect(staff.get_by_text("With 1 photo")).to_be_visible()
    public.reload()
    expect(public.get_by_role("img", name=re.compile("^Photo 1 of the problem, sent by the hub"))).to_be_visible()
    public.context.close()
    staff.context.close()


def test_a_resident_picks_the_spot_on_the_map_and_sees_the_reports_nearby(
    browser: Browser, stack: Stack, axe: AxeAudit, reported: dict[str, str]
) -> None:
    web = stack.web_url
    page = new_page(browser)
    page.goto(web + "/report")
    figure = page.locator("figure[data-map]")
    expect(figure).to_be_visible()
    # No tiles here (no internet): the map says so and still draws the hub outlines, with their names.
    expect(figure.get_by_text("The street map could not be loaded")).to_be_visible()
    outlines = page.locator(".leaflet-overlay-pane path")
    expect(outlines).to_have_count(2)
    expect(page.locator(".leaflet-tooltip", has_text="Northfield Community Hub")).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Test Tiles")

    # A click in the middle of Northfield, a few metres from the first resident's report.
    figure.scroll_into_view_if_needed()
    box = outlines.first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_label("Latitude", exact=True)).to_have_value(re.compile(r"^53\.81\d{3}$"))
    expect(page.get_by_label("Longitude", exact=True)).to_have_value(re.compile(r"^-1\.5[45]\d{3}$"))
    expect(page.get_by_role("button", name="The place you chose")).to_be_visible()  # the pin
    nearby = page.locator("[data-nearby]")
    first_report = nearby.locator(f"a[href='/issues/{reported['issue_id']}']")
    expect(first_report).to_have_text("Litter")
    expect(page.locator(".leaflet-overlay-pane path.leaflet-interactive")).not_to_have_count(0)  # its marker
    axe.check(page)
    screenshot(page, "report-where-map")
    send_litter_report(page, f"Broken glass on the path {stack.unique}", f"kim-{stack.unique}@example.org")
    expect(page.get_by_text("You reported this problem")).to_be_visible()
    page.context.close()

    # Under the pages' real Content-Security-Policy (axe needs it bypassed, so not above): Leaflet
    # runs, nothing is refused, and "use my location" fills in the browser's position.
    context = browser.new_context(geolocation={"latitude": 53.8149, "longitude": -1.5498}, permissions=["geolocation"])
    strict = context.new_page()
    refused: list[str] = []
    strict.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    strict.goto(web + "/report")
    expect(strict.locator(".leaflet-overlay-pane path")).to_have_count(2)
    strict.get_by_role("button", name="Use my location").click()
    expect(strict.get_by_label("Latitude", exact=True)).to_have_value("53.81490")
    expect(strict.get_by_label("Longitude", exact=True)).to_have_value("-1.54980")
    expect(strict.locator("[data-nearby]").locator(f"a[href='/issues/{reported['issue_id']}']")).to_be_visible()
    assert refused == [], refused
    context.close()


def test_a_volunteer_registers_is_approved_signs_up_to_a_shift_and_reads_the_messages(
    browser: Browser, stack: Stack, axe: AxeAudit
) -> None:
    web = stack.web_url
    volunteer = new_page(browser)
    volunteer.goto(web + "/volunteer")
    axe.check(volunteer)
    volunteer.get_by_role("link", name="Register to volunteer").first.click()
    axe.check(volunteer)
    volunteer.get_by_role("button", name="Register").click()  # empty: every required field is named
    summary = volunteer.locator(".error-summary")
    expect(summary).to_contain_text("Enter your name")
    expect(summary).to_contain_text("Tick the box to agree")
    axe.check(volunteer)
    name = f"Robin Volunteer {stack.unique}"
    volunteer.get_by_label("Full name").fill(name)
    volunteer.get_by_label("Email address").fill(f"robin-{stack.unique}@example.org")
    volunteer.get_by_label("Day", exact=True).fill("14")
    volunteer.get_by_label("Month", exact=True).fill("6")
    volunteer.get_by_label("Year", exact=True).fill("1990")
    volunteer.get_by_label("Northfield Community Hub").check()
    volunteer.get_by_label("Gardening").check()
    volunteer.get_by_label("Morning (9am to 12pm) on Saturday").check()
    volunteer.get_by_label("Their name").fill("Alex Volunteer")
    volunteer.get_by_label("Their phone number").first.fill("07700 900123")
    volunteer.get_by_label("I agree to the hub keeping and using my details").check()
    volunteer.get_by_role("button", name="Register").click()
    expect(volunteer.get_by_role("status")).to_contain_text("You have registered to volunteer")
    expect(volunteer.get_by_text("You can sign up to shifts once you are approved")).to_be_visible()
    axe.check(volunteer)

    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    axe.check(staff)
    staff.get_by_role("link", name=name).click()
    axe.check(staff)
    staff.get_by_label("Basic DBS").check()
    staff.get_by_label("Certificate number").fill("001234567890")
    issued = staff.get_by_role("group", name="Date issued")
    issued.get_by_label("Day").fill("1")
    issued.get_by_label("Month").fill("9")
    issued.get_by_label("Year").fill("2026")
    renewal = staff.get_by_role("group", name="Renew by")
    renewal.get_by_label("Day").fill("1")
    renewal.get_by_label("Month").fill("9")
    renewal.get_by_label("Year").fill("2029")
    staff.get_by_role("button", name="Record the check").click()
    expect(staff.get_by_role("status")).to_contain_text("The background check has been recorded")
    staff.get_by_role("button", name=f"Approve {name}").click()
    expect(staff.get_by_role("status")).to_contain_text("Approved")
    axe.check(staff)

    volunteer.goto(web + "/volunteer?hub_id=hub-northfield")
    sign_up = volunteer.get_by_role("button", name=re.compile("^Sign up to Litter picker"))
    expect(sign_up.first).to_be_visible()
    axe.check(volunteer)
    sign_up.first.click()
    expect(volunteer.get_by_role("status")).to_contain_text("You are signed up to the shift")
    expect(volunteer.get_by_text("Confirmed")).to_be_visible()
    axe.check(volunteer)
    for path in ("/volunteer/preferences", "/volunteer/erase"):
        volunteer.goto(web + path)
        axe.check(volunteer)

    staff.goto(web + "/staff/hubs/hub-northfield")
    staff.locator("#shifts").scroll_into_view_if_needed()
    staff.get_by_role("link", name=re.compile("^Litter picker")).first.click()
    expect(staff.get_by_text(name)).to_be_visible()
    axe.check(staff)

    # Approval and the confirmed place each send an in-app message, through Kafka and notifications.
    def both_messages() -> bool:
        volunteer.goto(web + "/inbox")
        titles = volunteer.locator("main h2").all_inner_texts()
        return {"You are approved to volunteer", "Your place is confirmed"} <= set(titles)

    assert eventually(both_messages, timeout_s=120, every_s=1), "the volunteer's messages did not arrive"
    axe.check(volunteer)
    screenshot(volunteer, "inbox")
    count = volunteer.locator("header .count")
    unread = int(count.inner_text().split()[0])
    assert unread >= 2
    mark_approval_read = volunteer.get_by_role("button", name=re.compile("^Mark as read.*approved to volunteer"))
    mark_approval_read.click()
    expect(volunteer.get_by_role("status")).to_contain_text("Message marked as read")
    expect(count).to_have_text(f"{unread - 1} unread")
    expect(mark_approval_read).to_have_count(0)
    axe.check(volunteer)


def test_staff_fix_the_issue_and_the_residents_page_shows_the_update(
    browser: Browser, stack: Stack, axe: AxeAudit, reported: dict[str, str]
) -> None:
    web = stack.web_url
    issue_id = reported["issue_id"]
    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.get_by_role("link", name="Litter").filter(has_text="Litter").first.wait_for()
    # The console maps the hub's open issues (the list beside the map is the accessible alternative).
    staff.get_by_role("link", name="Map of open issues").click()
    expect(staff.locator("figure[data-map] .leaflet-marker-icon").first).to_be_visible()
    axe.check(staff)
    screenshot(staff, "staff-dashboard-map")
    staff.goto(f"{web}/staff/issues/{issue_id}")
    axe.check(staff)
    staff.get_by_role("button", name="Save and tell residents").click()  # no action chosen
    expect(staff.locator(".error-summary")).to_contain_text("Choose what to do next")
    axe.check(staff)
    staff.get_by_label("Mark as fixed").check()
    note = f"Our street team cleared the bags and emptied the bin ({stack.unique})."
    staff.get_by_label("Public note").fill(note)
    staff.get_by_role("button", name="Save and tell residents").click()
    expect(staff.get_by_role("status")).to_contain_text("Done: mark as fixed")

    # The acknowledgement email links to the report with a sign-in token for the reporter.
    def acknowledgement():
        mails = [m for m in stack.mailbox.to(reported["email"]) if issue_id in m.get_body(("plain",)).get_content()]
        return mails[0] if mails else None

    # Usually within a second; the bound allows for a loaded CI machine (the contact details travel
    # on another topic, and a message that overtook its contact waits for it).
    mail = eventually(acknowledgement, timeout_s=120)
    assert mail is not None, "the reporter got no acknowledgement email"
    link = re.search(r"(http://\S+/issues/" + issue_id + r"\?token=\S+)", mail.get_body(("plain",)).get_content())
    assert link, "the acknowledgement has no link to the report"
    resident = new_page(browser)
    resident.goto(link.group(1))
    assert "token=" not in resident.url  # dropped from the address bar
    expect(resident.get_by_text("You reported this problem")).to_be_visible()
    expect(resident.get_by_role("heading", name="Fixed")).to_be_visible()
    expect(resident.get_by_text(note)).to_be_visible()
    axe.check(resident)

    resident.goto(f"{web}/hubs/hub-northfield/you-said-we-did")
    expect(resident.get_by_text(note)).to_be_visible()
    axe.check(resident)

    # The demo staff get the hub's new-report alerts in the app too; the dashboard maps open issues.
    def staff_alert() -> bool:
        staff.goto(web + "/inbox")
        return staff.get_by_role("heading", name="New report: Litter").count() > 0

    assert eventually(staff_alert, timeout_s=120, every_s=1), "staff got no in-app alert of the reports"
    axe.check(staff)


def test_staff_find_an_issue_with_the_consoles_filters_search_and_map(
    browser: Browser, stack: Stack, axe: AxeAudit, reported: dict[str, str]
) -> None:
    """Journey: staff search their hub's issues for a word of the report, narrow by category and
    status, open the page of results as a map, and follow a pin to the issue."""
    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.get_by_role("link", name="Find and filter issues").first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Issues")
    axe.check(staff)
    staff.get_by_label("Search", exact=True).fill(f"rubbish {stack.unique}")
    staff.get_by_label("Category", exact=True).select_option(label="Litter")
    staff.get_by_label("Status", exact=True).select_option(label="Any status")
    staff.get_by_role("button", name="Show issues").click()
    rows = staff.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reported["issue_id"])
    assert f"q=rubbish+{stack.unique}" in staff.url and "category=litter" in staff.url  # a GET form: bookmarkable
    axe.check(staff)
    screenshot(staff, "staff-issues-filtered")
    staff.get_by_label("Search", exact=True).fill(f"nothing-like-it-{stack.unique}")
    staff.get_by_role("button", name="Show issues").click()
    expect(staff.get_by_text("No issues match these filters.")).to_be_visible()
    staff.go_back()
    staff.get_by_role("link", name="Map", exact=True).click()
    marker = staff.locator("figure[data-map] .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(staff.locator("table tbody tr")).to_have_count(1)  # the list stays beside the map
    marker.first.click()
    expect(staff.locator(".leaflet-popup")).to_have_css("opacity", "1")
    axe.check(staff)
    screenshot(staff, "staff-issues-map")
    staff.locator(".leaflet-popup-content a").first.click()
    expect(staff).to_have_url(re.compile(f"/staff/issues/{reported['issue_id']}$"))
    staff.context.close()


def test_a_resident_asks_to_borrow_a_litter_picking_kit_and_staff_approve_it(
    browser: Browser, stack: Stack, axe: AxeAudit
) -> None:
    """Journey: a resident finds the litter-picking kit in the groups and places list, asks to borrow
    two for the weekend; staff approve the request on their dashboard; the resident's requests page
    shows it reserved and the hub's answer arrives by email."""
    web = stack.web_url
    resident = new_page(browser)
    resident.goto(web + "/places?kind=equipment&hub_id=hub-northfield")
    axe.check(resident)
    resident.get_by_role("link", name="Litter-picking kit").first.click()
    axe.check(resident)
    resident.get_by_role("link", name="Ask to borrow Litter-picking kit").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Ask to borrow: Litter-picking kit")
    resident.get_by_role("button", name="Send my request").click()  # nothing filled in
    expect(resident.locator(".error-summary")).to_contain_text("Enter the day you would like it from")
    axe.check(resident)
    start = datetime.now(UTC).date() + timedelta(days=2)
    for group, day in (
        ("Which day would you like it from?", start),
        ("Which day will you bring it back?", start + timedelta(days=1)),
    ):
        fields = resident.get_by_role("group", name=group)
        fields.get_by_label("Day").fill(str(day.day))
        fields.get_by_label("Month").fill(str(day.month))
        fields.get_by_label("Year").fill(str(day.year))
    resident.get_by_label("How many do you need?").fill("2")
    note = f"Litter pick on the green ({stack.unique})"
    resident.get_by_label("What is it for? (optional)").fill(note)
    resident.get_by_label("Your name").fill("Winifred Quill")
    email = f"winnie-{stack.unique}@example.org"
    resident.get_by_label("Email address").fill(email)
    resident.get_by_role("button", name="Send my request").click()
    expect(resident.get_by_role("status")).to_contain_text("Your request to borrow Litter-picking kit has been sent")
    expect(resident.get_by_text("Waiting for the hub to decide")).to_be_visible()
    axe.check(resident)

    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    request = staff.locator("#equipment-requests ~ ul li.card", has_text=note)
    expect(request).to_be_visible()
    screenshot(staff, "staff-equipment-request")
    request.get_by_role("button", name=re.compile("^Approve")).click()
    expect(staff.get_by_role("status")).to_contain_text("Request approved")
    expect(staff.locator("#equipment-requests ~ ul li.card", has_text=note)).to_have_count(0)
    axe.check(staff)
    staff.goto(web + "/staff/hubs/hub-northfield/loans?status=reserved")
    expect(staff.locator("table")).to_contain_text("Litter-picking kit")
    axe.check(staff)

    resident.goto(web + "/my-requests")
    expect(resident.get_by_text("Approved: reserved for you")).to_be_visible()
    axe.check(resident)

    def answer():
        return [m for m in stack.mailbox.to(email) if m["Subject"] == "Your loan is reserved"]

    assert eventually(answer, timeout_s=120), "the resident got no email saying the loan is reserved"
    for page in (resident, staff):
        page.context.close()


def test_every_other_public_page_passes_the_accessibility_check(browser: Browser, stack: Stack, axe: AxeAudit) -> None:
    page = new_page(browser)
    for path in (
        "/issues?hub_id=hub-northfield",
        "/places",
        "/places?kind=organisation&hub_id=hub-northfield",
        "/privacy",
        "/accessibility",
        "/volunteer/sign-in-link",
        "/sign-in/email?next=/have-your-say",
        "/hubs/hub-riverside",
        "/no-such-page",
    ):
        page.goto(stack.web_url + path)
        axe.check(page)
    # Both hubs' places on one map: those close together are drawn as one pin with their count
    # (Leaflet.markercluster), and a click on it zooms in until the single pins show.
    page.goto(stack.web_url + "/places")
    clusters = page.locator("figure[data-map] .marker-cluster")
    expect(clusters.first).to_be_visible()
    assert int(clusters.first.inner_text()) >= 2
    axe.check(page)
    screenshot(page, "places-map-clusters")
    pins = page.locator("figure[data-map] img.leaflet-marker-icon")
    for _ in range(6):  # each click zooms in to the cluster's pins, or splits it into smaller clusters
        if pins.count():
            break
        clusters.first.click()
        page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    expect(pins.first).to_be_visible()  # the places that have a position, beside the list
    pins.first.click()
    expect(page.locator(".leaflet-popup-content a").first).to_have_attribute("href", re.compile(r"^/places/"))
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in: axe measures its contrast
    axe.check(page)
    screenshot(page, "places-map")
    page.goto(stack.web_url + "/places?kind=organisation")
    page.get_by_role("link", name="Northfield Food Bank").first.click()
    axe.check(page)
    page.goto(stack.web_url + "/volunteer")
    page.get_by_role("link", name="Food bank helper").first.click()
    axe.check(page)


def test_a_resident_gets_a_copy_of_their_data_by_email_and_the_privacy_team_follows_requests(
    browser: Browser, stack: Stack, axe: AxeAudit, reported: dict[str, str]
) -> None:
    """Journey: the reporter of journey 1 asks for a copy of their data, confirms with the link emailed
    to them, downloads the zip from the second link; the privacy team signs in and logs a request."""
    web, email = stack.web_url, reported["email"]
    page = new_page(browser)
    page.goto(web + "/privacy")
    page.get_by_role("link", name="ask about your personal data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your personal data")
    axe.check(page)
    page.get_by_label("Send me a copy of my data").check()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a link to confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe.check(page)
    screenshot(page, "privacy-request")

    def mail_with(subject: str):
        found = [m for m in stack.mailbox.to(email) if m["Subject"] == subject]
        return found[0].get_body(("plain",)).get_content() if found else None

    confirm_mail = eventually(lambda: mail_with("Confirm your request about your personal data"), timeout_s=120)
    assert confirm_mail, "no confirmation email arrived"
    page.goto(re.search(r"(http://\S+/privacy/confirm/\S+)", confirm_mail).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your request")
    axe.check(page)
    page.get_by_role("button", name="Confirm my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your request is being handled")
    axe.check(page)

    # Every service answers over Kafka; then the person is emailed a link to the export.
    ready_mail = eventually(lambda: mail_with("The copy of your data is ready"), timeout_s=180)
    assert ready_mail, "no export email arrived"
    download = page.context.request.get(re.search(r"(http://\S+/privacy/exports/\S+)", ready_mail).group(1))
    assert download.ok and download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.body())) as archive:
        issues = json.loads(archive.read("issues.json"))
        contacts = json.loads(archive.read("notifications.json"))["contact_details"]
    assert reported["issue_id"] in [r["id"] for r in issues["reports"]]
    assert {c["email"] for c in contacts} == {email}
    page.context.close()

    team = new_page(browser)
    team.goto(web + "/sign-in")
    team.get_by_label("Username").fill("privacy")
    team.get_by_label("Password").fill("demo-password")
    team.get_by_role("button", name="Sign in", exact=True).click()
    expect(team.get_by_role("heading", level=1)).to_have_text("Privacy requests")
    axe.check(team)
    team.get_by_label("Erasure of their data").check()
    team.get_by_label("Their email address").fill(f"nobody-{stack.unique}@example.org")
    team.get_by_label("Your case reference").fill(f"DP-{stack.unique}")
    team.get_by_label("How it was received, and how you checked who asked").fill("Letter of 1 December, ID seen")
    team.get_by_role("button", name="Log the request").click()
    expect(team.get_by_role("heading", level=1)).to_have_text(f"Request DP-{stack.unique}")
    axe.check(team)

    def every_service_answered() -> bool:
        team.reload()
        return team.get_by_text("Waiting for its answer.").count() == 0

    assert eventually(every_service_answered, timeout_s=120), "not every service answered the request"
    expect(team.get_by_text("Held nothing about this person.").first).to_be_visible()
    screenshot(team, "privacy-staff-request")
    team.context.close()


def test_a_resident_finds_the_place_by_its_postcode(browser: Browser, stack: Stack, axe: AxeAudit) -> None:
    page = new_page(browser)
    page.goto(stack.web_url + "/report")
    page.get_by_label("Address or description of the place").fill("nf1 1aa")
    page.get_by_role("button", name="Find this address or postcode").click()
    expect(page.get_by_role("status").filter(has_text="We found")).to_contain_text("NF1 1AA")
    expect(page.get_by_label("Latitude", exact=True)).to_have_value("53.8149")
    expect(page.get_by_label("Longitude", exact=True)).to_have_value("-1.5497")
    axe.check(page)
    page.get_by_label("Latitude", exact=True).press("Enter")  # Enter continues: it does not search again
    expect(page.get_by_role("heading", name="What is the problem?")).to_be_visible()
    page.context.close()


def test_a_welsh_speaking_resident_reports_in_welsh_and_is_answered_in_welsh(
    browser: Browser, stack: Stack, axe: AxeAudit
) -> None:
    """The browser asks for Welsh: every step, message and date of the report is in Welsh, the
    acknowledgement email too, and the switch in the header gives English back."""
    context = browser.new_context(bypass_csp=True, locale="cy-GB")
    context.set_default_timeout(45_000)
    page = context.new_page()
    page.goto(stack.web_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", name="Beth ydych chi am ei wneud?")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Rhoi gwybod am broblem yn eich ardal").click()
    page.get_by_role("button", name="Parhau").click()
    expect(page.locator(".error-summary")).to_contain_text("Rhowch y cyfeiriad neu disgrifiwch ble mae'r broblem")
    expect(page).to_have_title(re.compile("^" + re.escape("Gwall: Ble mae'r broblem?")))
    axe.check(page)
    page.get_by_label("Cyfeiriad neu ddisgrifiad o'r lle").fill("nf1 1aa")
    page.get_by_role("button", name="Dod o hyd i'r cyfeiriad neu'r cod post hwn").click()
    expect(page.get_by_role("status").filter(has_text="Daethom o hyd i")).to_contain_text("NF1 1AA")
    page.get_by_role("button", name="Parhau").click()
    expect(page.get_by_role("heading", name="Beth yw'r broblem?")).to_be_visible()
    page.get_by_label("Sbwriel", exact=True).check()  # the category as the hub's catalogue words it in Welsh
    page.get_by_role("button", name="Parhau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dywedwch wrthym am y broblem: sbwriel")
    axe.check(page)
    description = f"Sbwriel wrth y safle bws {stack.unique}"
    page.get_by_label("Disgrifiwch y broblem").fill(description)
    expect(page.get_by_role("group", name="A yw bin sbwriel yn gorlifo?")).to_be_visible()
    page.get_by_label("Ydy", exact=True).check()
    page.get_by_role("button", name="Parhau").click()
    page.get_by_label("Eich enw").fill("Gwen Preswylydd")
    email = f"gwen-{stack.unique}@example.org"
    page.get_by_label("Cyfeiriad e-bost").fill(email)
    axe.check(page)
    page.get_by_role("button", name="Anfon yr adroddiad").click()
    expect(page.get_by_role("status")).to_contain_text("Mae eich adroddiad wedi'i anfon")
    issue_id = re.search(r"/issues/(iss-[0-9a-f]+)$", page.url).group(1)
    expect(page.get_by_text("Chi roddodd wybod am y broblem hon")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sbwriel")
    expect(page.locator(".summary-list")).to_contain_text(re.compile(r"Dydd \w+ \d+ \w+ 20\d\d"))  # a Welsh date
    axe.check(page)
    screenshot(page, "welsh-report")

    def welsh_acknowledgement():
        return [m for m in stack.mailbox.to(email) if m["Subject"].startswith("Mae eich adroddiad gennym")]

    [mail] = eventually(welsh_acknowledgement, timeout_s=60)
    body = mail.get_body(("plain",)).get_content()
    assert body.startswith("Helo Gwen Preswylydd,") and issue_id in body, body

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("You reported this problem")).to_be_visible()
    assert page.url.endswith(f"/issues/{issue_id}")  # the same page, in English
    context.close()


def test_staff_sign_in_with_their_council_account_through_the_real_provider(
    browser: Browser, oidc_web: str, keycloak: Keycloak, axe: AxeAudit
) -> None:
    """Journey 6: a Northfield staff member presses "Sign in with ...", signs in on Keycloak's own page
    and lands on their hub's console; signing out ends both sessions. The pages' CSP lets the form's
    redirect go to the provider (browsers apply form-action to it), and the provider's Secure
    cookies work on http://127.0.0.1 as browsers treat loopback as secure."""
    page = new_page(browser)
    page.goto(oidc_web + "/sign-in")
    expect(page.get_by_role("heading", name="Hub staff")).to_be_visible()
    axe.check(page)
    screenshot(page, "staff-sign-in-oidc")
    page.get_by_role("button", name="Sign in with Hub Test Council").click()
    page.wait_for_url(re.compile(re.escape(keycloak.issuer) + "/protocol/openid-connect/auth"))
    page.get_by_label("Username").fill("nadia.northfield")
    screenshot(page, "staff-sign-in-oidc-provider")
    page.get_by_label("Password", exact=True).fill(KEYCLOAK_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(oidc_web + "/staff/hubs/hub-northfield")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northfield Community Hub")
    axe.check(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(keycloak.issuer) + "/protocol/openid-connect/logout"))
    page.get_by_role("button", name="Logout").click()  # the provider's confirmation (no ID token hint kept)
    page.wait_for_url(re.compile(re.escape(oidc_web) + r"/\?state="))
    expect(page.get_by_role("status")).to_contain_text("You have signed out")
    page.goto(oidc_web + "/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.context.close()


def test_a_volunteer_checks_in_with_the_qr_code_logs_hours_staff_approve_and_thank_them(
    browser: Browser, stack: Stack, axe: AxeAudit
) -> None:
    """Journey: Riverside's staff show the QR code of the shift running now (demo data puts Jo on it);
    Jo opens its address, signs in, checks in and out, and logs the shift's hours; staff approve them,
    give an award and record training; Jo sees the milestone, the award and the training (one expired)
    on their page and the milestone in their inbox, and the thank-you wall shows the award by first name."""
    web = stack.web_url
    staff = new_page(browser)
    staff.goto(web + "/sign-in")
    staff.get_by_label("Username").fill("riverside")
    staff.get_by_label("Password").fill("demo-password")
    staff.get_by_role("button", name="Sign in", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Riverside Community Hub")
    staff.locator("#today + p + ul a").filter(has_text="Food bank helper").first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Food bank helper")
    qr = staff.get_by_role("img", name=re.compile("^QR code to check in to Food bank helper"))
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 200  # large enough for a phone to read across a table
    axe.check(staff)
    screenshot(staff, "shift-qr")
    staff.get_by_role("link", name="Show the code full screen at the door").click()
    expect(staff.get_by_role("img", name=re.compile("^QR code to check in"))).to_be_visible()
    axe.check(staff)
    address = staff.locator("figure[data-check-in-url]").get_attribute("data-check-in-url")

    jo = new_page(browser)
    jo.goto(address)  # what the phone's camera opens; not signed in yet
    jo.get_by_label("Jo Walker (active volunteer, Riverside)").check()
    jo.get_by_role("button", name="Sign in as this volunteer").click()
    expect(jo.get_by_role("button", name="Check in")).to_be_visible()  # back at the shift's code
    axe.check(jo)
    screenshot(jo, "volunteer-check-in")
    jo.get_by_role("button", name="Check in").click()
    expect(jo.get_by_role("status")).to_contain_text("You are checked in")
    jo.goto(address)
    jo.get_by_role("button", name="Check out").click()
    expect(jo.get_by_role("status")).to_contain_text("You are checked out")
    jo.get_by_role("link", name="Log hours for a shift").click()
    expect(jo.get_by_role("heading", level=1)).to_have_text("Log your hours")
    jo.get_by_role("button", name="Log my hours").click()  # nothing chosen: the error summary
    expect(jo.locator(".error-summary")).to_contain_text("Choose the shift you did")
    axe.check(jo)
    jo.get_by_label(re.compile("^Food bank helper")).check()
    jo.get_by_label("How many hours did you volunteer?").fill("3")
    jo.get_by_role("button", name="Log my hours").click()
    expect(jo.get_by_role("status")).to_contain_text("3 hours logged")
    expect(jo.get_by_text("Waiting for approval", exact=True)).to_be_visible()

    staff.goto(web + "/staff/hubs/hub-riverside")
    staff.get_by_role("link", name="Approve hours").click()
    expect(staff.get_by_role("heading", name=re.compile("^Jo Walker: 3 hours"))).to_be_visible()
    staff.get_by_text("Send back").first.click()  # the reason box opens (no script: <details>)
    expect(staff.get_by_label("Why are these hours not right?")).to_be_visible()
    axe.check(staff)
    screenshot(staff, "staff-hours")
    staff.get_by_role("button", name=re.compile("^Approve 3 hours of Jo Walker")).click()
    expect(staff.get_by_role("status")).to_contain_text("Approved 3 hours")

    staff.goto(web + "/staff/volunteers/demo-vol-jo")
    staff.get_by_label("What it is for").fill("Drove the lunch club through the October floods")
    staff.get_by_label("Period (optional)").fill("October 2026")
    staff.get_by_role("button", name="Give the award").click()
    expect(staff.get_by_role("status")).to_contain_text("Award given: Volunteer of the Month")
    for name, issuer, awarded, expires in (
        ("Minibus driver assessment", "Community Transport Association", ("1", "3", "2022"), ("1", "3", "2025")),
        ("Emergency first aid", "St John Ambulance", ("5", "1", "2026"), ("5", "1", "2029")),
    ):
        staff.get_by_label("Name of the training or qualification").fill(name)
        staff.get_by_label("Who gave it").fill(issuer)
        for group, (day, month, year) in (("Date it was awarded", awarded), ("Expiry date (optional)", expires)):
            fields = staff.get_by_role("group", name=group)
            fields.get_by_label("Day").fill(day)
            fields.get_by_label("Month").fill(month)
            fields.get_by_label("Year").fill(year)
        staff.get_by_role("button", name="Record it").click()
        expect(staff.get_by_role("status")).to_contain_text(f"Recorded: {name}")
    axe.check(staff)

    jo.goto(web + "/volunteer/me")
    expect(jo.get_by_text("2 hours milestone reached")).to_be_visible()
    expect(jo.get_by_text("Drove the lunch club through the October floods")).to_be_visible()
    expect(jo.locator(".tag-expired")).to_have_text("Expired")
    expect(jo.get_by_text("Valid until Friday 5 January 2029")).to_be_visible()
    axe.check(jo)
    screenshot(jo, "volunteer-hours")

    def milestone_message() -> bool:
        jo.goto(web + "/inbox")
        return jo.get_by_role("heading", name="Thank you for 2 hours of volunteering").count() > 0

    assert eventually(milestone_message, timeout_s=120, every_s=1), "Jo got no milestone message in the inbox"

    visitor = new_page(browser)
    visitor.goto(web + "/hubs/hub-riverside")
    visitor.get_by_role("link", name="See the thank-you wall").click()
    award = visitor.get_by_role("heading", name="Jo: Volunteer of the Month")
    expect(award).to_be_visible()
    expect(visitor.get_by_text("Walker")).to_have_count(0)  # first names only
    axe.check(visitor)
    screenshot(visitor, "thank-you-wall")
    for page in (staff, jo, visitor):
        page.context.close()


def test_staff_open_the_insight_dashboard_see_the_charts_and_download_a_csv(
    browser: Browser, stack: Stack, axe: AxeAudit
) -> None:
    services = ("issues", "volunteers", "assets")
    databases = {s: f"t_web_{s}_{stack.unique}" for s in services}
    northfield = {"id": HUBS[0]["id"], **HUBS[0]["centre"]}
    history = seed_insight_history({s: stack.infra.mongo_uri for s in services}, databases, [northfield])
    with ThreadPoolExecutor(1) as thread:  # its own event loop, beside Playwright's
        seeded = thread.submit(asyncio.run, history).result()
    assert seeded.fixed and seeded.answers and seeded.hours_entries and seeded.bookings and seeded.loans

    page = new_page(browser)
    sign_in_staff(page, stack, axe)
    page.get_by_role("link", name="Insight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insight")
    expect(page.get_by_label("Hub")).to_have_value("all")
    for name in (
        "Issues opened and fixed per week",
        "Median time to fix by category (hours)",
        "Satisfaction with fixes per month (1 to 5)",
        "Approved volunteer hours per month",
        "Room bookings and equipment loans per month",
    ):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    axe.check(page)
    page.get_by_text("Issues opened and fixed per week: the figures as a table").click()
    weekly = page.get_by_role("table", name="Issues opened and fixed per week")
    expect(weekly).to_be_visible()
    axe.check(page)
    opened_on_page = int(page.locator(".key-figures li", has_text="opened").locator(".key-figure").inner_text())
    assert opened_on_page > 0

    page.get_by_label("Hub").select_option(label="Northfield Community Hub")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Hub")).to_have_value("hub-northfield")
    timing = page.context.request.get(page.url).headers["server-timing"]
    assert all(f"{name};dur=" in timing for name in (*services, "fetch", "total")), timing
    screenshot(page, "staff-insight")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download issues per week (CSV)").click()
    download = downloading.value
    assert download.suggested_filename.startswith("insight-issues-weekly-hub-northfield-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    assert rows[0] == ["week_starting", "opened", "fixed"]
    assert sum(int(r[1]) for r in rows[1:]) == opened_on_page  # the same figures as the page
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r[0]) for r in rows[1:])
    page.context.close()
