"""Have your say journeys in a real headless Chromium against the real running services (the stack of
test_browser_journeys.py, with the participation service), axe-core run on every page visited: no
serious or critical violations.

1. A resident proposes an idea (the similar ideas already proposed are shown first), other residents
   support it until it reaches its threshold (two in the browser, eight more as browsers without
   JavaScript), the proposer is emailed, staff answer it and publish progress from the console, and
   the idea's page shows the answer.
2. Staff schedule an online forum with one place and a waiting list; a resident registers with an
   access need and sees the place confirmed; a second finds it full and joins the waiting list; the
   first gives up the place and the second has it; staff see the access need, without a name.
3. Staff build a survey with all five kinds of question and open it; a resident signs in with their
   email (the emailed link) and answers it (a ranking with an option twice is refused), and on another
   browser the same address has answered already; staff close it, and the results page shows its
   charts and tables.
4. Staff start a budgeting round (allocation, £1,000) and open it for proposals; a resident proposes
   three projects; staff review them (one at a cost of their own, one not eligible, with its reason)
   and open voting; the resident signs in with their email (the emailed link), their ballot over the
   budget is refused in pounds, then one within it is counted and replaced by another, and on another
   browser the same address is the same voter (and two more vote as browsers without JavaScript, each
   signing in by their emailed link too); staff close
   voting, recount and post progress to delivery, and the results page shows the chart, its table
   and the funded project's progress.
5. A ward councillor reads their ward's brief and comments on an idea, shown as a councillor's.

``HUB_WEB_SCREENSHOTS=web/docs`` saves the README's pictures of these pages.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from playwright.sync_api import Browser, Page, expect
from test_browser_journeys import (  # noqa: F401 - browser and axe are fixtures
    AxeAudit,
    axe,
    browser,
    eventually,
    new_page,
    pytestmark,
    screenshot,
    sign_in_staff,
)
from web_testkit import csrf_of

if TYPE_CHECKING:
    from conftest import Stack

NORTH = "hub-northfield"
THRESHOLD = 10  # HUB_IDEA_SUPPORT_THRESHOLD's default, which the demo hubs keep


def support_without_javascript(web_url: str, idea_id: str) -> None:
    """A resident's support as a browser without JavaScript sends it: the page, then its form."""
    with httpx.Client(base_url=web_url, follow_redirects=False, timeout=30) as resident:
        page = resident.get(f"/ideas/{idea_id}")
        answer = resident.post(f"/ideas/{idea_id}/support", data={"csrf_token": csrf_of(page.text)})
        assert answer.status_code == 303, answer.text


def sign_in_link(stack: Stack, email: str, after: int = 0) -> str:
    """The sign-in link emailed to ``email`` (the one after the first ``after`` of them)."""

    def arrived() -> str | None:
        found = [m for m in stack.mailbox.to(email) if m["Subject"] == "Your link to sign in"]
        return found[after].get_body(("plain",)).get_content() if len(found) > after else None

    mail = eventually(arrived, timeout_s=120)
    assert mail, f"no sign-in link reached {email}"
    return re.search(r"(http://\S+/sign-in/email/done\S+)", mail).group(1)


def vote_without_javascript(stack: Stack, round_id: str, titles: list[str], email: str) -> httpx.Response:
    """A resident's ballot as a browser without JavaScript sends it: the round's page, its form asking
    for a sign-in link, the emailed link, then the ballot with the boxes of ``titles`` ticked (found
    by their labels on the page)."""
    with httpx.Client(base_url=stack.web_url, follow_redirects=False, timeout=30) as resident:
        page = resident.get(f"/budgeting/{round_id}")
        assert "To vote, sign in with your email" in page.text
        form = {"csrf_token": csrf_of(page.text), "email": email, "next": f"/budgeting/{round_id}", "hub_id": NORTH}
        asked = resident.post("/sign-in/email", data=form)
        assert asked.status_code == 200 and "Check your email" in asked.text
        landed = resident.get(sign_in_link(stack, email).replace(stack.web_url, ""))
        assert landed.status_code == 303 and landed.headers["location"] == f"/budgeting/{round_id}"
        page = resident.get(f"/budgeting/{round_id}")
        boxes = dict(
            re.findall(r'name="choices" type="checkbox" value="([^"]+)".*?<label[^>]*>([^<:]+):', page.text, re.S)
        )
        chosen = [value for value, label in boxes.items() if label in titles]
        assert len(chosen) == len(titles), boxes
        return resident.post(
            f"/budgeting/{round_id}/ballot", data={"csrf_token": csrf_of(page.text), "choices": chosen}
        )


def test_a_resident_proposes_an_idea_residents_support_it_and_staff_answer(
    browser: Browser,  # noqa: F811
    stack: Stack,
    axe: AxeAudit,  # noqa: F811 - the fixtures imported above
) -> None:
    web = stack.web_url
    proposer = new_page(browser)
    proposer.goto(web + "/")
    proposer.get_by_role("link", name="Have your say").click()
    expect(proposer.get_by_role("heading", level=1)).to_have_text("Have your say")
    axe.check(proposer)
    proposer.get_by_role("link", name="Northfield Community Hub").first.click()
    axe.check(proposer)
    proposer.get_by_role("link", name="Propose an idea").click()
    proposer.get_by_role("button", name="Propose my idea").click()  # nothing filled in
    expect(proposer.locator(".error-summary")).to_contain_text("Enter your idea in a line")
    axe.check(proposer)
    title = f"Benches on the walk to the shops and the school {stack.unique}"
    email = f"jo-{stack.unique}@example.org"
    proposer.get_by_label("Your idea in a line").fill(title)
    proposer.get_by_label("What do you propose, and why?").fill(
        "Somewhere to rest on the hill for parents with small children."
    )
    proposer.get_by_label("The name to show with it (optional)").fill("Jo")
    proposer.get_by_label("Email address (optional)").fill(email)
    proposer.get_by_role("button", name="Propose my idea").click()
    # The demo hub's open benches idea is like it: shown first, with the choice to support it instead.
    expect(proposer.get_by_role("heading", name="Ideas like yours already")).to_be_visible()
    expect(proposer.get_by_role("link", name="More benches on the walk to the shops")).to_be_visible()
    axe.check(proposer)
    screenshot(proposer, "participate-similar-ideas")
    proposer.get_by_role("button", name="Propose my idea").click()
    expect(proposer.get_by_role("status")).to_contain_text("Your idea has been published")
    expect(proposer.get_by_role("heading", level=1)).to_have_text(title)
    expect(proposer.locator("#support-count")).to_have_text("0")
    idea_id = re.search(r"/ideas/([^/?]+)$", proposer.url).group(1)
    axe.check(proposer)

    for n in (1, 2):  # two neighbours in the browser: the count rises with each
        neighbour = new_page(browser)
        neighbour.goto(f"{web}/hubs/{NORTH}/ideas?sort=newest")
        axe.check(neighbour)
        neighbour.get_by_role("link", name=title).click()
        neighbour.get_by_role("button", name="Support this idea").click()
        expect(neighbour.get_by_role("status")).to_contain_text(f"The idea has {n} supporter")
        expect(neighbour.locator("#support-count")).to_have_text(str(n))
        if n == 2:
            axe.check(neighbour)
            screenshot(neighbour, "participate-idea")
            neighbour.get_by_role("button", name="Support this idea").click()  # twice counts once
            expect(neighbour.get_by_role("status")).to_contain_text("each person's support counts once")
            expect(neighbour.locator("#support-count")).to_have_text("2")
        neighbour.context.close()
    for _ in range(THRESHOLD - 2):
        support_without_javascript(web, idea_id)

    proposer.reload()
    expect(proposer.locator("#support-count")).to_have_text(str(THRESHOLD))
    expect(proposer.get_by_text("This idea has enough supporters")).to_be_visible()
    axe.check(proposer)

    def threshold_mail():
        return [m for m in stack.mailbox.to(email) if "support" in m["Subject"].lower()]

    assert eventually(threshold_mail, timeout_s=90), "the proposer was not emailed"

    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.get_by_role("link", name="Have your say: ideas, forum meetings and surveys").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Have your say")
    axe.check(staff)
    staff.get_by_role("link", name="Ideas: moderation and responses").click()
    waiting = staff.locator("table", has=staff.get_by_text("Ideas for response"))
    waiting.get_by_role("link", name=title).click()
    axe.check(staff)
    staff.get_by_role("button", name="Publish the answer").click()  # nothing chosen
    expect(staff.locator(".error-summary")).to_contain_text("Choose whether the idea is accepted")
    axe.check(staff)
    staff.get_by_label("Accepted: the hub will do it").check()
    staff.get_by_label("The hub's answer").fill("Yes: the streets team will put two benches on the hill in March.")
    staff.get_by_role("button", name="Publish the answer").click()
    expect(staff.get_by_role("status")).to_contain_text("Your answer is published")
    staff.get_by_label("Progress update").fill("The school has agreed where the benches go.")
    staff.get_by_role("button", name="Publish the update").click()
    expect(staff.get_by_role("status")).to_contain_text("The progress update is published")
    axe.check(staff)
    screenshot(staff, "staff-participation-idea")
    staff.context.close()

    proposer.reload()
    expect(proposer.get_by_role("heading", name="The hub's answer")).to_be_visible()
    expect(proposer.get_by_text("the streets team will put two benches")).to_be_visible()
    expect(proposer.get_by_text("The school has agreed where the benches go.")).to_be_visible()
    axe.check(proposer)
    proposer.context.close()


def fill_date(page: Page, legend: str, day: datetime) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_residents_register_for_a_forum_and_the_second_joins_the_waiting_list(
    browser: Browser,  # noqa: F811
    stack: Stack,
    axe: AxeAudit,  # noqa: F811 - the fixtures imported above
) -> None:
    web = stack.web_url
    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.goto(f"{web}/staff/hubs/{NORTH}/participation/meetings")
    axe.check(staff)
    staff.get_by_role("link", name="Schedule a meeting").click()
    axe.check(staff)
    title = f"Small forum {stack.unique}"
    staff.get_by_label("Title").fill(title)
    fill_date(staff, "Date", datetime.now(UTC) + timedelta(days=14))
    staff.get_by_label("Start time").fill("18:30")
    staff.get_by_label("End time").fill("18:00")
    staff.get_by_label("Online", exact=True).check()
    staff.get_by_label("Link to join (for an online meeting)").fill("https://meet.example.org/small-forum")
    staff.get_by_label("Places", exact=True).fill("1")
    staff.get_by_role("button", name="Schedule the meeting").click()
    expect(staff.locator(".error-summary")).to_contain_text("The end time must be after the start time")
    axe.check(staff)
    staff.get_by_label("End time").fill("20:00")
    staff.get_by_role("button", name="Schedule the meeting").click()
    expect(staff.get_by_role("status")).to_contain_text("The meeting is scheduled")
    meeting_id = re.search(r"/staff/meetings/([^/?]+)$", staff.url).group(1)

    first = new_page(browser)
    first.goto(f"{web}/hubs/{NORTH}/meetings")
    axe.check(first)
    first.get_by_role("link", name="Northfield residents' forum").first.click()  # the demo's, in the Main Hall
    expect(first.get_by_text("Main Hall, Northfield Community Centre")).to_be_visible()
    axe.check(first)
    first.goto(f"{web}/meetings/{meeting_id}")
    expect(first.get_by_text("1 in all, 1 left")).to_be_visible()
    first.get_by_label("Anything the hub should arrange for you? (optional)").fill("Captions, please")
    first.get_by_role("button", name="Register for this meeting").click()
    expect(first.get_by_role("status")).to_contain_text("You are registered")
    expect(first.get_by_text("You are registered.")).to_be_visible()
    expect(first.get_by_text("You told the hub: Captions, please")).to_be_visible()
    axe.check(first)

    second = new_page(browser)
    second.goto(f"{web}/meetings/{meeting_id}")
    expect(second.get_by_text("This meeting is full.")).to_be_visible()
    axe.check(second)
    second.get_by_role("button", name="Join the waiting list").click()
    expect(second.get_by_role("status")).to_contain_text("you are on the waiting list: number 1")
    expect(second.get_by_text("You are on the waiting list, number 1.")).to_be_visible()
    axe.check(second)
    screenshot(second, "participate-meeting-waitlist")

    first.get_by_role("button", name="Give up my place").click()
    expect(first.get_by_role("status")).to_contain_text("You have given up your place")
    expect(first.get_by_role("button", name="Join the waiting list")).to_be_visible()  # full again
    second.reload()
    expect(second.get_by_text("You are registered.")).to_be_visible()
    first.context.close()
    second.context.close()

    staff.reload()
    expect(staff.get_by_text("1 of 1 places (0 left)")).to_be_visible()
    expect(staff.get_by_text("Captions, please")).to_have_count(0)  # the first gave their place up
    axe.check(staff)
    screenshot(staff, "staff-participation-meeting")
    staff.context.close()


def test_staff_build_a_survey_a_resident_answers_it_and_the_results_have_charts(
    browser: Browser,  # noqa: F811
    stack: Stack,
    axe: AxeAudit,  # noqa: F811 - the fixtures imported above
) -> None:
    web = stack.web_url
    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.goto(f"{web}/staff/hubs/{NORTH}/participation/surveys")
    staff.get_by_role("link", name="Start a survey").click()
    axe.check(staff)
    title = f"The hub's opening hours {stack.unique}"
    staff.get_by_label("Title").fill(title)
    questions = [
        ("When do you come?", "One answer from a list", "Mornings\nAfternoons\nEvenings"),
        ("What do you use?", "Any number of answers from a list", "Library\nCafe\nHall"),
        ("How welcome do you feel?", "A number on a scale (1 to 5)", ""),
        ("Anything else?", "Their own words", ""),
        ("Which matters most?", "Put the options in order", "Longer hours\nMore events\nQuiet space"),
    ]
    for n, (text, kind, options) in enumerate(questions, start=1):
        question = staff.get_by_role("group", name=f"Question {n}")
        question.get_by_label("The question").fill(text)
        question.get_by_label("How it is answered").select_option(label=kind)
        if options:
            question.get_by_label("The answers to choose from").fill(options)
    staff.get_by_role("group", name="Question 4").get_by_label("Residents may leave it out").check()
    staff.get_by_role("button", name="Save the draft").click()
    expect(staff.get_by_role("status")).to_contain_text("saved as a draft")
    axe.check(staff)
    staff.get_by_role("button", name="Open the survey").click()
    expect(staff.get_by_role("status")).to_contain_text("The survey is open")
    survey_url = staff.url

    resident = new_page(browser)
    resident.goto(f"{web}/hubs/{NORTH}/surveys")
    axe.check(resident)
    resident.get_by_role("link", name=title).click()
    survey_path = resident.url.removeprefix(web)
    # One answer per person on any device: the resident signs in with their email first.
    expect(resident.get_by_role("heading", name="To answer, sign in with your email")).to_be_visible()
    expect(resident.get_by_role("button", name="Send my answers")).to_have_count(0)
    axe.check(resident)
    respondent = f"respondent-{stack.unique}@example.org"
    resident.get_by_label("Email address").fill(respondent)
    resident.get_by_role("button", name="Email me a link").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Check your email")
    resident.goto(sign_in_link(stack, respondent))
    expect(resident.get_by_role("status")).to_contain_text("You are signed in with your email address")
    expect(resident.get_by_role("heading", level=1)).to_have_text(title)
    axe.check(resident)
    resident.get_by_label("Evenings").check()
    resident.get_by_label("Library").check()
    resident.get_by_label("Cafe").check()
    resident.get_by_role("group", name=re.compile("How welcome do you feel")).get_by_label("4").check()
    resident.get_by_label(re.compile("Anything else")).fill("Open on Sundays")
    resident.get_by_label("Place 1 (most important)").select_option("Longer hours")
    resident.get_by_label("Place 2").select_option("Longer hours")
    resident.get_by_label("Place 3 (least important)").select_option("Quiet space")
    resident.get_by_role("button", name="Send my answers").click()
    expect(resident.locator(".error-summary")).to_contain_text("Give each option one place")
    axe.check(resident)
    screenshot(resident, "participate-survey")
    resident.get_by_label("Place 2").select_option("More events")
    resident.get_by_role("button", name="Send my answers").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    axe.check(resident)

    # On another browser the same address is the same respondent: already answered.
    again = new_page(browser)
    again.goto(f"{web}{survey_path}")
    again.get_by_label("Email address").fill(respondent)
    again.get_by_role("button", name="Email me a link").click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Check your email")
    again.goto(sign_in_link(stack, respondent, after=1))
    expect(again.get_by_text("You have answered this survey.")).to_be_visible()
    expect(again.get_by_role("button", name="Send my answers")).to_have_count(0)
    again.context.close()

    staff.goto(survey_url)
    staff.get_by_role("button", name="Close the survey and publish the results").click()
    expect(staff.get_by_role("status")).to_contain_text("The survey is closed")
    expect(staff.locator("svg.chart")).to_have_count(4)
    staff.get_by_role("link", name="Read the 1 written answer").click()
    expect(staff.get_by_text("Open on Sundays")).to_be_visible()
    axe.check(staff)
    staff.context.close()

    resident.goto(f"{web}/hubs/{NORTH}/surveys")
    resident.get_by_role("link", name=title).click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(f"Results: {title}")
    expect(resident.locator("svg.chart")).to_have_count(4)
    expect(resident.get_by_text("Open on Sundays")).to_have_count(0)  # free text stays with staff
    resident.get_by_text("Question 1: the figures as a table").click()
    expect(resident.get_by_role("row", name="Evenings 1")).to_be_visible()
    axe.check(resident)
    screenshot(resident, "participate-survey-results")
    resident.context.close()


def test_staff_make_a_survey_repeat_quarterly_see_its_rounds_and_stop_it(
    browser: Browser,  # noqa: F811
    stack: Stack,
    axe: AxeAudit,  # noqa: F811 - the fixtures imported above
) -> None:
    web = stack.web_url
    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.goto(f"{web}/staff/hubs/{NORTH}/participation/surveys/new")
    title = f"How is Northfield? {stack.unique}"
    staff.get_by_label("Title").fill(title)
    question = staff.get_by_role("group", name="Question 1")
    question.get_by_label("The question").fill("How safe do you feel?")
    question.get_by_label("How it is answered").select_option(label="A number on a scale (1 to 5)")
    repeat = staff.get_by_role("group", name="Repeat it (optional)")
    repeat.get_by_label("Repeat every").select_option(label="3 months (quarterly)")
    repeat.get_by_label("Days each round stays open").fill("90")
    staff.get_by_role("button", name="Save the draft").click()
    expect(staff.locator(".error-summary")).to_contain_text("close before the next one opens")
    axe.check(staff)
    staff.get_by_label("Days each round stays open").fill("21")
    staff.get_by_role("button", name="Save the draft").click()
    expect(staff.get_by_role("status")).to_contain_text("saved as a draft")
    expect(staff.get_by_text("Every 3 months (quarterly), each round open for 21 days")).to_be_visible()
    axe.check(staff)
    staff.get_by_role("button", name="Open the survey").click()
    expect(staff.get_by_role("status")).to_contain_text("The survey is open")
    expect(staff.get_by_text("This is round 1")).to_be_visible()
    expect(staff.get_by_role("heading", name="Round by round")).to_be_visible()
    expect(staff.get_by_role("table", name=re.compile("How safe do you feel"))).to_be_visible()
    axe.check(staff)
    staff.get_by_role("button", name="Stop repeating: open no further round").click()
    expect(staff.get_by_role("status")).to_contain_text("will not repeat")
    expect(staff.locator("dd", has_text="Stopped")).to_contain_text("no further round opens")
    expect(staff.get_by_role("button", name="Stop repeating: open no further round")).to_have_count(0)
    axe.check(staff)
    staff.context.close()


def test_staff_run_a_budgeting_round_a_resident_votes_within_the_budget_and_the_results_are_charted(
    browser: Browser,  # noqa: F811
    stack: Stack,
    axe: AxeAudit,  # noqa: F811 - the fixtures imported above
) -> None:
    web = stack.web_url
    staff = new_page(browser)
    sign_in_staff(staff, stack, axe)
    staff.goto(f"{web}/staff/hubs/{NORTH}/participation")
    staff.get_by_role("link", name="Budgeting", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Budgeting")
    expect(staff.get_by_role("link", name="Northfield's £10,000: you choose")).to_be_visible()  # the demo round
    axe.check(staff)
    staff.get_by_role("link", name="Start a budgeting round").click()
    staff.get_by_role("button", name="Save the draft").click()  # nothing filled in
    expect(staff.locator(".error-summary")).to_contain_text("Enter the budget, in pounds")
    axe.check(staff)
    title = f"Green Lane's £1,000 {stack.unique}"
    staff.get_by_label("Title").fill(title)
    staff.get_by_label("What the money is for").fill("£1,000 for Green Lane: choose the projects that fit it.")
    staff.get_by_label("Budget, in pounds").fill("1,000")
    staff.get_by_label(re.compile("^Choose projects within the budget")).check()
    fill_date(staff, "Day voting closes", datetime.now(UTC) + timedelta(days=7))
    staff.get_by_role("button", name="Save the draft").click()
    expect(staff.get_by_role("status")).to_contain_text("The round is saved as a draft")
    axe.check(staff)
    staff.get_by_role("button", name="Open the round for proposals").click()
    expect(staff.get_by_role("status")).to_contain_text("The round takes proposals now")
    round_id = re.search(r"/staff/budgeting/([^/?#]+)", staff.url).group(1)

    resident = new_page(browser)
    resident.goto(web + "/have-your-say")
    resident.get_by_role("link", name="Budgeting").first.click()  # the first hub's: Northfield
    expect(resident.get_by_role("heading", level=1)).to_have_text("Budgeting in Northfield Community Hub")
    axe.check(resident)
    resident.get_by_role("link", name=title).click()
    resident.get_by_role("link", name="Propose a project").click()
    resident.get_by_role("button", name="Send my project").click()  # nothing filled in
    expect(resident.locator(".error-summary")).to_contain_text("Enter your project in a line")
    axe.check(resident)
    projects = [("Planters along Green Lane", "600"), ("A bench by the bus stop", "500"), ("A new car park", "5,000")]
    for n, (project, cost) in enumerate(projects):
        if n:
            resident.get_by_role("link", name="Propose a project").click()
        resident.get_by_label("Your project in a line").fill(project)
        resident.get_by_label("What is the project, and who does it help?").fill(f"{project}, for everyone.")
        resident.get_by_label("Roughly what would it cost, in pounds?").fill(cost)
        resident.get_by_role("button", name="Send my project").click()
        expect(resident.get_by_role("status")).to_contain_text("Your project is sent")
    expect(resident.get_by_text("Waiting for the hub's review")).to_have_count(3)
    axe.check(resident)

    staff.reload()

    def review(project: str, eligible: bool, cost: str = "", reason: str = "") -> None:
        card = staff.locator("section", has=staff.get_by_role("heading", name=project))
        card.get_by_label("Eligible: it goes on the ballot" if eligible else "Not eligible", exact=True).check()
        if cost:
            card.get_by_label("Final cost, in pounds (if eligible)").fill(cost)
        if reason:
            card.get_by_label(re.compile("^Public reason")).fill(reason)
        card.get_by_role("button", name="Save the review").click()
        expect(staff.get_by_role("status")).to_contain_text("The review is saved")

    review("Planters along Green Lane", True, cost="650")  # the hub's cost, with the planting
    review("A bench by the bus stop", True)  # at the resident's estimate
    card = staff.locator("section", has=staff.get_by_role("heading", name="A new car park"))
    card.get_by_label("Not eligible", exact=True).check()
    card.get_by_role("button", name="Save the review").click()  # no reason given
    expect(staff.locator(".error-summary")).to_contain_text("Give the public reason")
    axe.check(staff)
    review("A new car park", False, reason="Far over the round's budget: passed to the highways team.")
    staff.get_by_role("button", name="Stop taking proposals and finish the review").click()
    staff.get_by_role("button", name="Open voting").click()
    expect(staff.get_by_role("status")).to_contain_text("Voting is open")
    axe.check(staff)

    resident.goto(f"{web}/budgeting/{round_id}")
    expect(resident.get_by_text("Why it is not eligible: Far over the round's budget")).to_be_visible()
    # One ballot per person on any device: the resident signs in with their email first.
    expect(resident.get_by_role("heading", name="To vote, sign in with your email")).to_be_visible()
    expect(resident.get_by_role("button", name="Cast my vote")).to_have_count(0)
    axe.check(resident)
    voter = f"voter-{stack.unique}@example.org"
    resident.get_by_label("Email address").fill(voter)
    resident.get_by_role("button", name="Email me a link").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe.check(resident)
    resident.goto(sign_in_link(stack, voter))
    expect(resident.get_by_role("status")).to_contain_text("You are signed in with your email address")
    expect(resident.get_by_role("heading", level=1)).to_have_text(title)
    resident.get_by_label("Planters along Green Lane: £650").check()
    resident.get_by_label("A bench by the bus stop: £500").check()
    resident.get_by_role("button", name="Cast my vote").click()
    # Over the budget: the service refuses, and the page says why in pounds, keeping the ticks.
    expect(resident.locator(".error-summary")).to_contain_text(
        "The projects you chose cost £1,150 together, more than the budget of £1,000"
    )
    expect(resident.get_by_label("A bench by the bus stop: £500")).to_be_checked()
    axe.check(resident)
    resident.get_by_label("A bench by the bus stop: £500").uncheck()
    resident.get_by_role("button", name="Cast my vote").click()
    expect(resident.get_by_role("status")).to_contain_text("Thank you: your vote is counted")
    expect(resident.locator("#your-ballot")).to_contain_text("£650 of £1,000")
    expect(resident.locator("#ballots")).to_have_text("1")
    axe.check(resident)
    screenshot(resident, "participate-pb-vote")
    resident.get_by_label("Planters along Green Lane: £650").uncheck()
    resident.get_by_label("A bench by the bus stop: £500").check()
    resident.get_by_role("button", name="Change my vote").click()
    expect(resident.get_by_role("status")).to_contain_text("Your new choices replace your earlier vote")
    expect(resident.locator("#your-ballot")).to_contain_text("A bench by the bus stop")
    expect(resident.locator("#your-ballot")).not_to_contain_text("Planters")
    expect(resident.locator("#ballots")).to_have_text("1")  # one person, one ballot
    axe.check(resident)
    # Two more residents vote as browsers without JavaScript: the bench gets two votes, the planters one.
    over = vote_without_javascript(
        stack, round_id, ["Planters along Green Lane", "A bench by the bus stop"], f"over-{stack.unique}@example.org"
    )
    assert over.status_code == 422 and "more than the budget of £1,000" in over.text
    second, third = (f"{who}-{stack.unique}@example.org" for who in ("second", "third"))
    assert vote_without_javascript(stack, round_id, ["A bench by the bus stop"], second).status_code == 303
    assert vote_without_javascript(stack, round_id, ["Planters along Green Lane"], third).status_code == 303
    # The first resident again, on another device (a new browser) with their address in capitals:
    # the same voter, whose ballot is replaced, not counted twice.
    again = new_page(browser)
    again.goto(f"{web}/budgeting/{round_id}")
    again.get_by_label("Email address").fill(voter.upper())
    again.get_by_role("button", name="Email me a link").click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Check your email")
    again.goto(sign_in_link(stack, voter, after=1))
    expect(again.locator("#your-ballot")).to_contain_text("A bench by the bus stop")  # their ballot, here too
    again.context.close()

    staff.reload()
    staff.get_by_role("button", name="Close voting and publish the results").click()
    expect(staff.get_by_role("status")).to_contain_text("Voting is closed")
    expect(staff.locator("svg.chart")).to_have_count(1)
    staff.get_by_role("button", name="Count the ballots again").click()
    expect(staff.locator("#recount")).to_contain_text("The recount matches the published results")
    axe.check(staff)
    bench = staff.locator("section", has=staff.get_by_role("heading", name="A bench by the bus stop"))
    bench.get_by_label(re.compile("^Progress update")).fill("The bench is ordered.")
    bench.get_by_role("button", name="Publish the update").click()
    expect(staff.get_by_role("status")).to_contain_text("The progress update is published")
    bench = staff.locator("section", has=staff.get_by_role("heading", name="A bench by the bus stop"))
    bench.get_by_label(re.compile("^Progress update")).fill("The bench is in, by the bus stop.")
    bench.get_by_label("This update says the project is delivered").check()
    bench.get_by_role("button", name="Publish the update").click()
    expect(staff.get_by_role("status")).to_contain_text("The project is marked delivered")
    axe.check(staff)
    staff.context.close()

    resident.goto(f"{web}/hubs/{NORTH}/budgeting")
    resident.get_by_role("link", name=f"The results: {title}").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(f"Results: {title}")
    expect(resident.locator("svg.chart")).to_have_count(1)
    # The bench has the most votes and is funded; the planters (£650) no longer fit the £500 left.
    expect(resident.get_by_role("row", name="A bench by the bus stop £500 2 Yes")).to_be_visible()
    expect(resident.get_by_role("row", name="Planters along Green Lane £650 1 No")).to_be_visible()
    expect(resident.get_by_text("The bench is in, by the bus stop.")).to_be_visible()
    axe.check(resident)
    screenshot(resident, "participate-pb-results")
    resident.context.close()


def test_a_ward_councillor_reads_the_brief_and_comments_on_an_idea_as_a_councillor(
    browser: Browser,  # noqa: F811
    stack: Stack,
    axe: AxeAudit,  # noqa: F811 - the fixtures imported above
) -> None:
    """5. Northfield's demo councillor signs in to the ward's brief (the hub's problems beside its ideas,
    forums and actions), comments on an idea, and the idea's page shows it as a councillor's."""
    councillor = new_page(browser)
    councillor.goto(stack.web_url + "/sign-in")
    councillor.get_by_label("Username").fill("councillor-northfield")
    councillor.get_by_label("Password").fill("demo-password")
    councillor.get_by_role("button", name="Sign in", exact=True).click()
    expect(councillor.get_by_role("heading", level=1)).to_have_text("Your ward's brief")
    expect(councillor.get_by_role("heading", name="Problems reported")).to_be_visible()
    axe.check(councillor)
    screenshot(councillor, "councillor-brief")
    councillor.get_by_role("link", name="More benches on the walk to the shops").first.click()
    councillor.get_by_role("button", name="Publish my comment").click()  # nothing written
    expect(councillor.locator(".error-summary")).to_contain_text("Write your comment")
    axe.check(councillor)
    said = f"I back this and will raise it with the streets team {stack.unique}."
    councillor.get_by_label("Your comment").fill(said)
    councillor.get_by_role("button", name="Publish my comment").click()
    expect(councillor.get_by_role("status")).to_contain_text("Your comment is published")
    expect(councillor.get_by_role("heading", name="What councillors said")).to_be_visible()
    expect(councillor.get_by_text(said)).to_be_visible()
    axe.check(councillor)
    councillor.context.close()

    resident = new_page(browser)  # everyone reads it, labelled; no comment form for them
    resident.goto(stack.web_url + "/hubs/hub-northfield/ideas")
    resident.get_by_role("link", name="More benches on the walk to the shops").first.click()
    expect(resident.get_by_text(said)).to_be_visible()
    expect(resident.get_by_role("heading", name="Councillor Cathy Moss").first).to_be_visible()
    expect(resident.get_by_role("button", name="Publish my comment")).to_have_count(0)
    resident.context.close()
