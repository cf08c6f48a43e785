"""The forms residents ask with: to borrow equipment (from and return dates) and to book a room (a
day, a start and an end time), each with the contact details the hub answers them at."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from hub_web.forms import Errors, FormData, check_contact, check_date
from hub_web.i18n import _
from hub_web.web import LOCAL_TZ

CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
LOAN_STARTS = time(9, 0)  # a loan runs from the morning of its first day...
LOAN_DUE = time(17, 0)  # ...to the afternoon of its return day (hub local time)
MAX_NOTE = 500
BORROW_FIELDS = {
    "starts_at": "from-day",
    "due_at": "until-day",
    "quantity": "quantity",
    "notes": "notes",
    "contact.display_name": "name",
    "contact.email": "email",
    "contact.phone": "phone",
}
BOOK_FIELDS = {
    "starts_at": "starts",
    "ends_at": "ends",
    "attendees": "attendees",
    "purpose": "purpose",
    "role": "on-day",
    "contact.display_name": "name",
    "contact.email": "email",
    "contact.phone": "phone",
}


def _contact(form: FormData, errors: Errors) -> dict[str, Any]:
    contact, contact_errors = check_contact(form)
    for field_id, message in contact_errors.fields.items():
        errors.add(field_id, message)
    body = {"display_name": contact["name"] or "", "email": contact["email"], "phone": contact["phone"]}
    return {k: v for k, v in body.items() if v}


def _note(form: FormData, name: str, errors: Errors, label: str) -> str:
    text = form.one(name)
    if len(text) > MAX_NOTE:
        errors.add(name, _("%(what)s must be %(n)s characters or fewer", what=label, n=MAX_NOTE))
    return text


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def check_borrow(form: FormData, today: date, now: datetime, most: int) -> tuple[dict[str, Any], Errors]:
    """A request to borrow: the dates (from today on), how many (at most ``most``), what for, contact."""
    errors = Errors()
    start = check_date(form, "from", errors, label=_("first day"), missing=_("Enter the day you would like it from"))
    until = check_date(form, "until", errors, label=_("return day"), missing=_("Enter the day you will bring it back"))
    if start is not None and start < today:
        errors.add("from-day", _("The first day must be today or later"))
    if start is not None and until is not None and until < start:
        errors.add("until-day", _("The return day must be the same as the first day or later"))
    quantity = 1
    if most > 1:
        raw = form.one("quantity") or "1"
        if not raw.isdigit() or not 1 <= int(raw) <= most:
            errors.add("quantity", _("Enter how many you need, from 1 to %(most)s", most=most))
        else:
            quantity = int(raw)
    notes = _note(form, "notes", errors, _("What it is for"))
    contact = _contact(form, errors)
    if errors or start is None or until is None:
        return {}, errors
    starts_at = max(local(start, LOAN_STARTS), now + timedelta(minutes=1))
    return {
        "starts_at": starts_at.isoformat(),
        "due_at": local(until, LOAN_DUE).isoformat(),
        "quantity": quantity,
        "notes": notes,
        "contact": contact,
    }, errors


def _clock(form: FormData, name: str, errors: Errors, missing: str) -> time | None:
    value = form.one(name)
    match = CLOCK.match(value)
    if not value:
        errors.add(name, missing)
        return None
    if match is None:
        errors.add(name, _("Enter a time using the 24-hour clock, like 14:30"))
        return None
    return time(int(match.group(1)), int(match.group(2)))


def check_booking(form: FormData, today: date) -> tuple[dict[str, Any], Errors]:
    """A request to book a room: the day, start and end times, what for, how many people, contact."""
    errors = Errors()
    day = check_date(form, "on", errors, label=_("day"), missing=_("Enter the day you would like the room"))
    if day is not None and day < today:
        errors.add("on-day", _("The day must be today or later"))
    starts = _clock(form, "starts", errors, _("Enter the time you would like the room from"))
    ends = _clock(form, "ends", errors, _("Enter the time you will be finished by"))
    if starts is not None and ends is not None and ends <= starts:
        errors.add("ends", _("The end time must be after the start time"))
    purpose = _note(form, "purpose", errors, _("What it is for"))
    attendees = None
    if form.one("attendees"):
        raw = form.one("attendees")
        if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
            errors.add("attendees", _("Enter how many people, as a number like 12"))
        else:
            attendees = int(raw)
    contact = _contact(form, errors)
    if errors or day is None or starts is None or ends is None:
        return {}, errors
    body: dict[str, Any] = {
        "starts_at": local(day, starts).isoformat(),
        "ends_at": local(day, ends).isoformat(),
        "purpose": purpose,
        "contact": contact,
    }
    if attendees is not None:
        body["attendees"] = attendees
    return body, errors
