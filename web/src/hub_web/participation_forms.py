"""Form checks for the "have your say" pages (ideas, forum meetings, surveys, participatory budgeting) and
their staff console.

Pure functions over the submitted form, as in ``forms.py``: plain-English messages keyed by the
field they belong to, so the error summary links to each. The participation service checks
everything again; its 422s land on the same fields through the ``*_FIELDS`` maps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub_web.forms import EMAIL, EMAIL_FORMAT, URL, Errors, FormData, check_date

UK = ZoneInfo("Europe/London")
TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
MAX_QUESTIONS = 6  # question rows on the staff survey builder (empty ones are left out)
MAX_ACTIONS = 4  # action rows on the minutes form
KINDS = {
    "single": "One answer from a list",
    "multiple": "Any number of answers from a list",
    "scale": "A number on a scale (1 to 5)",
    "text": "Their own words",
    "ranking": "Put the options in order",
}


def _length(errors: Errors, field_id: str, value: str, low: int, high: int, what: str) -> None:
    if len(value) < low:
        errors.add(field_id, f"{what} must be at least {low} characters")
    elif len(value) > high:
        errors.add(field_id, f"{what} must be {high:,} characters or fewer")


def _optional_email(form: FormData, errors: Errors) -> dict[str, Any] | None:
    """The optional "email me about it" address: a contact for notifications only, never shown."""
    email = form.one("email")
    if not email:
        return None
    if not EMAIL.match(email):
        errors.add("email", EMAIL_FORMAT)
        return None
    return {"email": email}


# -- ideas ----------------------------------------------------------------------------------------


def check_idea(form: FormData, hub_id: str) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    title, description = form.one("title"), form.one("description")
    category, name = form.one("category"), form.one("display_name")
    if not title:
        errors.add("title", "Enter your idea in a line")
    else:
        _length(errors, "title", title, 5, 120, "The idea's title")
    if not description:
        errors.add("description", "Say what you propose, and why")
    else:
        _length(errors, "description", description, 10, 4000, "The description")
    if len(category) > 60:
        errors.add("category", "The topic must be 60 characters or fewer")
    if len(name) > 60:
        errors.add("display_name", "The name to show must be 60 characters or fewer")
    contact = _optional_email(form, errors)
    body: dict[str, Any] = {"hub_id": hub_id, "title": title, "description": description}
    if category:
        body["category"] = category
    if name:
        body["display_name"] = name
    if contact:
        body["contact"] = contact
    return body, errors


IDEA_FIELDS = {
    "title": "title",
    "description": "description",
    "category": "category",
    "display_name": "display_name",
    "contact": "email",
    "contact.email": "email",
}


def check_reason(form: FormData, name: str, *, low: int, high: int, missing: str) -> tuple[str, Errors]:
    errors, text = Errors(), form.one(name)
    if not text:
        errors.add(name, missing)
    else:
        _length(errors, name, text, low, high, "It")
    return text, errors


def check_response(form: FormData) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    outcome = form.one("outcome")
    if outcome not in ("accepted", "not_taken_forward"):
        errors.add("outcome", "Choose whether the idea is accepted or not taken forward")
    text, text_errors = check_reason(
        form, "response", low=10, high=4000, missing="Write the hub's answer: residents see it with the idea"
    )
    errors.fields.update({k: v for k, v in text_errors.fields.items() if k not in errors.fields})
    return {"outcome": outcome, "response": text}, errors


# -- forum meetings -------------------------------------------------------------------------------


def check_registration(form: FormData) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    needs = form.one("access_needs")
    if len(needs) > 500:
        errors.add("access_needs", "Access needs must be 500 characters or fewer")
    contact = _optional_email(form, errors)
    body: dict[str, Any] = {}
    if needs:
        body["access_needs"] = needs
    if contact:
        body["contact"] = contact
    return body, errors


def _clock(form: FormData, name: str, errors: Errors, label: str) -> time | None:
    value = form.one(name)
    match = TIME.match(value)
    if not value:
        errors.add(name, f"Enter the {label}, like 18:30")
    elif not match:
        errors.add(name, f"Enter the {label} as hours and minutes, like 18:30")
    else:
        return time(int(match.group(1)), int(match.group(2)))
    return None


def check_meeting(
    form: FormData, hub_id: str, rooms: Mapping[str, str], now: datetime
) -> tuple[dict[str, Any], Errors]:
    """Staff schedule a forum: a day, start and end times (UK), a room of the hub or an online link."""
    errors = Errors()
    title = form.one("title")
    if not title:
        errors.add("title", "Enter the meeting's title")
    else:
        _length(errors, "title", title, 5, 120, "The title")
    description = form.one("description")
    if len(description) > 4000:
        errors.add("description", "The description must be 4,000 characters or fewer")
    day = check_date(form, "day", errors, label="date", missing="Enter the date of the meeting")
    starts, ends = _clock(form, "starts", errors, "start time"), _clock(form, "ends", errors, "end time")
    starts_at = ends_at = None
    if day and starts and ends:
        starts_at = datetime.combine(day, starts, tzinfo=UK)
        ends_at = datetime.combine(day, ends, tzinfo=UK)
        if ends_at <= starts_at:
            errors.add("ends", "The end time must be after the start time")
        if starts_at <= now:
            errors.add("day-day", "The meeting must be in the future")
    place: dict[str, Any] = {}
    kind = form.one("place")
    if kind == "room":
        room_id = form.one("room_id")
        if room_id not in rooms:
            errors.add("room_id", "Choose one of the hub's rooms")
        else:
            place = {"kind": "room", "room_id": room_id, "name": rooms[room_id]}
    elif kind == "online":
        url = form.one("online_url")
        if not URL.match(url):
            errors.add("online_url", "Enter the link to join, starting with https://")
        else:
            place = {"kind": "online", "online_url": url, "name": "Online"}
    else:
        errors.add("place", "Choose a room or online")
    capacity = form.one("capacity")
    if not capacity.isdigit() or not 1 <= int(capacity) <= 2000:
        errors.add("capacity", "Enter how many people can come, a whole number from 1 to 2,000")
    top = form.one("top_ideas", "3")
    if not top.isdigit() or int(top) > 10:
        errors.add("top_ideas", "Enter a whole number of ideas from 0 to 10")
    priorities = form.one("top_priorities", "3")
    if not priorities.isdigit() or int(priorities) > 10:
        errors.add("top_priorities", "Enter a whole number of problem reports from 0 to 10")
    items = [line.strip() for line in form.one("staff_items").splitlines() if line.strip()]
    if len(items) > 20:
        errors.add("staff_items", "Put at most 20 items on the agenda")
    elif any(not 3 <= len(i) <= 120 for i in items):
        errors.add("staff_items", "Each agenda item must be 3 to 120 characters long")
    body = {
        "hub_id": hub_id,
        "title": title,
        "description": description,
        "starts_at": starts_at.isoformat() if starts_at else None,
        "ends_at": ends_at.isoformat() if ends_at else None,
        "place": place,
        "capacity": int(capacity) if capacity.isdigit() else None,
        "waitlist": form.one("waitlist") == "yes",
        "top_ideas": int(top) if top.isdigit() else 3,
        "top_priorities": int(priorities) if priorities.isdigit() else 3,
        "staff_items": [{"title": i} for i in items],
    }
    return body, errors


MEETING_FIELDS = {
    "title": "title",
    "description": "description",
    "starts_at": "day-day",
    "ends_at": "ends",
    "place": "place",
    "place.room_id": "room_id",
    "place.online_url": "online_url",
    "capacity": "capacity",
    "top_ideas": "top_ideas",
    "top_priorities": "top_priorities",
    "staff_items": "staff_items",
}


def check_minutes(form: FormData) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    minutes = form.one("minutes")
    if not minutes:
        errors.add("minutes", "Write the minutes")
    else:
        _length(errors, "minutes", minutes, 10, 20_000, "The minutes")
    actions = []
    for n in range(1, MAX_ACTIONS + 1):
        title, owner = form.one(f"action-{n}-title"), form.one(f"action-{n}-owner")
        due_given = any(form.one(f"action-{n}-due-{p}") for p in ("day", "month", "year"))
        if not (title or owner or due_given):
            continue
        if not 3 <= len(title) <= 200:
            errors.add(f"action-{n}-title", f"Action {n}: say what is to be done (3 to 200 characters)")
        if not 2 <= len(owner) <= 120:
            errors.add(f"action-{n}-owner", f"Action {n}: enter who will do it, a team or a role")
        due = check_date(form, f"action-{n}-due", errors, label=f"action {n}'s due date")
        actions.append({"title": title, "owner": owner, "due_on": due.isoformat() if due else None})
    return {"minutes": minutes, "actions": actions}, errors


# -- surveys --------------------------------------------------------------------------------------


def question_field(question_id: str) -> str:
    return f"q-{question_id}"


def rank_field(question_id: str, place: int) -> str:
    return f"q-{question_id}-rank-{place}"


def check_answers(form: FormData, survey: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """A resident's answers, by question id, as the service takes them. A ranking comes as one select
    per place (no JavaScript needed): every option once."""
    errors, answers = Errors(), {}
    for q in survey["questions"]:
        field = question_field(q["id"])
        required, options = q.get("required", True), q.get("options") or []
        value: Any = None
        if q["kind"] == "single":
            value = form.one(field) or None
            if value is not None and value not in options:
                errors.add(field, "Choose one of the answers listed")
        elif q["kind"] == "multiple":
            value = form.all(field) or None
            if value and any(v not in options for v in value):
                errors.add(field, "Choose from the answers listed")
        elif q["kind"] == "scale":
            text = form.one(field)
            if text:
                if not text.lstrip("-").isdigit() or not q["low"] <= int(text) <= q["high"]:
                    errors.add(field, f"Choose a number from {q['low']} to {q['high']}")
                else:
                    value = int(text)
        elif q["kind"] == "text":
            value = form.one(field) or None
            if value and len(value) > 2000:
                errors.add(field, "Your answer must be 2,000 characters or fewer")
        elif q["kind"] == "ranking":
            ranked = [form.one(rank_field(q["id"], place)) for place in range(1, len(options) + 1)]
            if any(ranked):
                if sorted(ranked) != sorted(options):
                    errors.add(rank_field(q["id"], 1), "Give each option one place: use each only once")
                else:
                    value = ranked
        if value is None and required and not errors.get(field) and not errors.get(rank_field(q["id"], 1)):
            first = rank_field(q["id"], 1) if q["kind"] == "ranking" else field
            errors.add(first, f"Answer: {q['text'].rstrip('?')}")
        if value is not None:
            answers[q["id"]] = value
    body: dict[str, Any] = {"answers": answers}
    if survey.get("localities"):
        locality = form.one("locality")
        if locality not in survey["localities"]:
            errors.add("locality", "Choose the area you are answering for")
        else:
            body["locality"] = locality
    return body, errors


def check_survey(form: FormData, hub_id: str) -> tuple[dict[str, Any], Errors]:
    """Staff start a draft survey: the Place Standard template, or up to ``MAX_QUESTIONS`` questions."""
    errors = Errors()
    localities = [line.strip() for line in form.one("localities").splitlines() if line.strip()]
    if any(len(item) > 80 for item in localities) or len(localities) > 40:
        errors.add("localities", "List at most 40 areas, each 80 characters or fewer")
    body: dict[str, Any] = {"hub_id": hub_id, "localities": localities}
    recurrence = check_recurrence(form, errors)
    if recurrence is not None:
        body["recurrence"] = recurrence
    if form.one("template") == "place_standard":
        body["template"] = "place_standard"
        return body, errors
    title, intro = form.one("title"), form.one("intro")
    if not title:
        errors.add("title", "Enter the survey's title")
    else:
        _length(errors, "title", title, 3, 160, "The title")
    if len(intro) > 2000:
        errors.add("intro", "The introduction must be 2,000 characters or fewer")
    questions = []
    for n in range(1, MAX_QUESTIONS + 1):
        text = form.one(f"question-{n}-text")
        if not text:
            continue
        kind = form.one(f"question-{n}-kind")
        if kind not in KINDS:
            errors.add(f"question-{n}-kind", f"Question {n}: choose how it is answered")
            continue
        if len(text) > 300:
            errors.add(f"question-{n}-text", f"Question {n} must be 300 characters or fewer")
        question: dict[str, Any] = {"id": f"q{n}", "kind": kind, "text": text}
        question["required"] = form.one(f"question-{n}-optional") != "yes"
        options = [line.strip() for line in form.one(f"question-{n}-options").splitlines() if line.strip()]
        if kind in ("single", "multiple", "ranking"):
            if len(options) < 2 or len(set(options)) != len(options):
                errors.add(f"question-{n}-options", f"Question {n}: give at least two different answers, one a line")
            question["options"] = options
        elif kind == "scale":
            question.update(low=1, high=5, low_label="Not at all", high_label="Very much")
        questions.append(question)
    if not questions and not errors:
        errors.add("question-1-text", "Write at least one question")
    body.update(title=title, intro=intro or None, questions=questions)
    return body, errors


REPEAT_MONTHS = range(1, 13)  # "repeat every … months": 3 is quarterly, 12 yearly
MAX_OPEN_DAYS = 92


def check_recurrence(form: FormData, errors: Errors) -> dict[str, int] | None:
    """A survey that repeats: every ``repeat_months`` months (none chosen: it does not repeat), each
    wave open for ``open_days`` days, which must end before the next wave (28 days a month, the
    shortest, as the service counts)."""
    months = form.one("repeat_months")
    if not months:
        return None
    if not months.isdigit() or int(months) not in REPEAT_MONTHS:
        errors.add("repeat_months", "Choose how many months apart the survey repeats, from 1 to 12")
        return None
    days = form.one("open_days")
    if not days:
        errors.add("open_days", "Enter how many days each round stays open")
        return None
    if not days.isdigit() or not 1 <= int(days) <= MAX_OPEN_DAYS:
        errors.add("open_days", f"Each round stays open for a whole number of days, from 1 to {MAX_OPEN_DAYS}")
        return None
    if int(days) >= int(months) * 28:
        errors.add("open_days", "Each round must close before the next one opens: choose fewer days")
        return None
    return {"every_months": int(months), "open_days": int(days)}


def check_day(
    form: FormData, prefix: str, now: datetime, errors: Errors, *, label: str, end: bool = True
) -> datetime | None:
    """An optional day (three fields, ``prefix-day`` …) as a moment: the end of that day, UK time
    (``end``), or its start; it must not have passed. None when left empty."""
    if not any(form.one(f"{prefix}-{p}") for p in ("day", "month", "year")):
        return None
    day = check_date(form, prefix, errors, label=label)
    if day is None:
        return None
    moment = datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=UK)
    if (moment <= now) if end else (day < today_uk(now)):
        errors.add(f"{prefix}-day", f"The {label} must be today or later")
    return moment


def check_closes(form: FormData, now: datetime) -> tuple[str | None, Errors]:
    """The optional day a survey closes by itself (at the end of that day, UK time)."""
    errors = Errors()
    closes = check_day(form, "closes", now, errors, label="closing date")
    return (closes.astimezone(UTC).isoformat() if closes else None), errors


def today_uk(now: datetime) -> date:
    return now.astimezone(UK).date()


def choices(items: Sequence[str]) -> list[tuple[str, str]]:
    return [(item, item) for item in items]


# -- participatory budgeting ----------------------------------------------------------------------

POUNDS = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{2})?$")
MAX_PENCE = 10_000_000_000
PB_PHASES = {
    "draft": "Being prepared",
    "proposals": "Taking proposals",
    "review": "Proposals being reviewed",
    "voting": "Voting",
    "closed": "Closed: the results are published",
}
PB_METHODS = {
    "allocation": "Choose projects within the budget: each resident picks projects whose costs fit the budget",
    "approval": "Approve projects: each resident ticks every project they support",
}


def pounds(pence: int | None) -> str:
    """Pence as people write money: £4,200, or £4,200.50 when there are pence."""
    if pence is None:
        return ""
    whole, part = divmod(int(pence), 100)
    return f"£{whole:,}" + (f".{part:02d}" if part else "")


def check_pounds(form: FormData, name: str, errors: Errors, *, missing: str, what: str) -> int | None:
    """An amount in pounds (£1,250, 1250 or 1250.50) as whole pence."""
    text = form.one(name).replace(" ", "")
    if not text:
        errors.add(name, missing)
        return None
    match = POUNDS.match(text)
    if not match:
        errors.add(name, f"Enter {what} in pounds, like 1,500 or 1,500.50")
        return None
    pence = int(match.group(1).replace(",", "")) * 100 + int((match.group(3) or ".00")[1:])
    if not 1 <= pence <= MAX_PENCE:
        errors.add(name, f"Enter {what} from £0.01 to £100,000,000")
        return None
    return pence


def _day_field(moment: str | None, end: bool) -> tuple[str, str, str]:
    """A stored moment back as the day the staff form shows (the day it ends, for an end)."""
    if not moment:
        return "", "", ""
    local = datetime.fromisoformat(moment).astimezone(UK) - (timedelta(microseconds=1) if end else timedelta())
    return str(local.day), str(local.month), str(local.year)


ROUND_DAYS = (("proposals_close", "proposals_close_at", True), ("voting_opens", "voting_opens_at", False),
              ("voting_closes", "voting_closes_at", True))  # fmt: skip


def round_form(budget_round: Mapping[str, Any]) -> FormData:
    """A round's settings as the staff form shows them, to change."""
    items = [("title", budget_round["title"]), ("description", budget_round["description"]),
             ("budget", pounds(budget_round["budget"]).removeprefix("£")), ("method", budget_round["method"]),
             ("max_approvals", str(budget_round.get("max_approvals") or ""))]  # fmt: skip
    for prefix, key, end in ROUND_DAYS:
        parts = (f"{prefix}-day", f"{prefix}-month", f"{prefix}-year")
        items += zip(parts, _day_field(budget_round.get(key), end), strict=True)
    return FormData(items)


def check_round(form: FormData, now: datetime) -> tuple[dict[str, Any], Errors]:
    """Staff's budgeting round: title, description, budget, voting method, and the window (days, UK time:
    proposals close and voting closes at the end of their day, voting opens at the start of its own)."""
    errors = Errors()
    title, description = form.one("title"), form.one("description")
    if not title:
        errors.add("title", "Enter the round's title")
    else:
        _length(errors, "title", title, 5, 160, "The title")
    if not description:
        errors.add("description", "Say what the money is for, for residents")
    else:
        _length(errors, "description", description, 10, 4000, "The description")
    budget = check_pounds(form, "budget", errors, missing="Enter the budget, in pounds", what="the budget")
    method = form.one("method")
    if method not in PB_METHODS:
        errors.add("method", "Choose how residents vote")
    most: int | None = None
    text = form.one("max_approvals")
    if method == "approval" and text:
        if not text.isdigit() or not 1 <= int(text) <= 100:
            errors.add(
                "max_approvals", "Enter the most projects one resident may approve, from 1 to 100, or leave it empty"
            )
        else:
            most = int(text)
    moments: dict[str, datetime | None] = {}
    labels = ("day proposals close", "day voting opens", "day voting closes")
    for (prefix, key, end), label in zip(ROUND_DAYS, labels, strict=True):
        moment = check_day(form, prefix, now, errors, label=label, end=end)
        # An end at 23:59 of its day, which reads as that day (its midnight would read as the next).
        moments[key] = moment - timedelta(minutes=1) if moment and end else moment
    opens, closes = moments["voting_opens_at"], moments["voting_closes_at"]
    if opens and closes and closes <= opens and not errors.get("voting_closes-day"):
        errors.add("voting_closes-day", "Voting must close after it opens")
    body: dict[str, Any] = {"title": title, "description": description, "budget": budget, "method": method,
                            "max_approvals": most}  # fmt: skip
    body |= {key: moment.astimezone(UTC).isoformat() if moment else None for key, moment in moments.items()}
    return body, errors


ROUND_FIELDS = {
    "title": "title",
    "description": "description",
    "budget": "budget",
    "method": "method",
    "max_approvals": "max_approvals",
    "proposals_close_at": "proposals_close-day",
    "voting_opens_at": "voting_opens-day",
    "voting_closes_at": "voting_closes-day",
}


def check_pb_proposal(form: FormData) -> tuple[dict[str, Any], Errors]:
    """A resident's project for a budgeting round: what, why, and what they think it costs."""
    errors = Errors()
    title, description = form.one("title"), form.one("description")
    if not title:
        errors.add("title", "Enter your project in a line")
    else:
        _length(errors, "title", title, 5, 160, "The project's title")
    if not description:
        errors.add("description", "Say what the project is, and who it helps")
    else:
        _length(errors, "description", description, 10, 4000, "The description")
    cost = check_pounds(
        form, "estimated_cost", errors, missing="Enter roughly what it would cost, in pounds", what="the cost"
    )
    contact = _optional_email(form, errors)
    body: dict[str, Any] = {"title": title, "description": description, "estimated_cost": cost}
    if contact:
        body["contact"] = contact
    return body, errors


PB_PROPOSAL_FIELDS = {
    "title": "title",
    "description": "description",
    "estimated_cost": "estimated_cost",
    "contact": "email",
    "contact.email": "email",
}


def review_field(proposal_id: str, name: str) -> str:
    return f"{name}-{proposal_id}"


def check_review(form: FormData, proposal_id: str) -> tuple[dict[str, Any], Errors]:
    """Staff review one proposal: eligible at a final cost (the estimate if left empty), or not, with a
    public reason."""
    errors = Errors()
    outcome, reason = form.one(review_field(proposal_id, "outcome")), form.one(review_field(proposal_id, "reason"))
    body: dict[str, Any] = {}
    reason_field = review_field(proposal_id, "reason")
    if outcome == "eligible":
        body["eligible"] = True
        cost_field = review_field(proposal_id, "final_cost")
        if form.one(cost_field):
            body["final_cost"] = check_pounds(form, cost_field, errors, missing="", what="the final cost")
    elif outcome == "ineligible":
        body["eligible"] = False
        if not reason:
            errors.add(reason_field, "Give the public reason it cannot go on the ballot")
    else:
        errors.add(review_field(proposal_id, "outcome"), "Choose eligible or not eligible")
    if reason:
        _length(errors, reason_field, reason, 3, 1000, "The reason")
        body["reason"] = reason
    return body, errors


def ballot_choices(form: FormData, projects: Sequence[Mapping[str, Any]]) -> tuple[list[str], Errors]:
    """The projects ticked on a ballot (the service checks the budget and the most approvals)."""
    errors, on_ballot = Errors(), {p["id"] for p in projects}
    chosen = list(dict.fromkeys(form.all("choices")))
    if not chosen:
        errors.add("choices", "Choose at least one project")
    elif any(c not in on_ballot for c in chosen):
        errors.add("choices", "Choose from the projects listed")
    return chosen, errors
