"""Form checking for the web pages: plain-English messages keyed by field, GOV.UK error-summary style.

Pure functions over the submitted form (a mapping of field name to list of values): no FastAPI,
no HTTP. The services check everything again; these checks exist so people get clear messages
next to the right field before a round trip, and so a service's 422 lands on the same fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from hub_web.i18n import N_, _

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_FORMAT = N_("Enter an email address in the correct format, like name@example.com")
PHONE = re.compile(r"^\+?[0-9 ]{7,20}$")
URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
DAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
DAY_PARTS = {
    "morning": ("Morning (9am to 12pm)", time(9), time(12)),
    "afternoon": ("Afternoon (12pm to 5pm)", time(12), time(17)),
    "evening": ("Evening (5pm to 9pm)", time(17), time(21)),
}


class FormData:
    """Submitted values: ``one(name)`` for a single value, ``all(name)`` for checkboxes."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in items:
            self._values.setdefault(name, []).append(value if isinstance(value, str) else "")

    def one(self, name: str, default: str = "") -> str:
        values = self._values.get(name)
        return values[0].strip() if values else default

    def raw(self, name: str) -> str:
        """The value exactly as typed (passwords may start or end with spaces)."""
        values = self._values.get(name)
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        return [v.strip() for v in self._values.get(name, []) if v.strip()]

    def items(self) -> list[tuple[str, str]]:
        return [(k, v) for k, values in self._values.items() for v in values]

    def without(self, *names: str) -> list[tuple[str, str]]:
        """Every value except ``names`` (and the CSRF token): the answers carried to the next step."""
        skip = {*names, "csrf_token"}
        return [(k, v) for k, v in self.items() if k not in skip]

    def __contains__(self, name: str) -> bool:
        return name in self._values


@dataclass
class Errors:
    """Field id → message, in the order they appear on the page (the error summary links to each)."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, field_id: str, message: str) -> None:
        self.fields.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, field_id: str) -> str | None:
        return self.fields.get(field_id)


def from_problem(problem: Any, field_map: Mapping[str, str], *, errors: Errors | None = None) -> Errors:
    """A service's problem+json as form errors: mapped fields next to their input, the rest in the summary."""
    errors = errors or Errors()
    for item in getattr(problem, "errors", []) or []:
        path = str(item.get("field", "")).removeprefix("body.").removeprefix("query.")
        message = str(item.get("message", "is not valid"))
        target = (
            field_map.get(path)
            or field_map.get(path.split("[", 1)[0])  # one item of a list field: photos[1]
            or next((f for p, f in field_map.items() if path.startswith(p + ".")), None)
        )
        if target:
            errors.add(target, _sentence(message))
        else:
            errors.general.append(_sentence(f"{path}: {message}" if path else message))
    if not errors:
        errors.general.append(
            _sentence(getattr(problem, "detail", "") or "Something was not right; check and try again")
        )
    return errors


def _sentence(text: str) -> str:
    text = text.strip().removeprefix("Value error, ")
    return text[:1].upper() + text[1:] if text else text


def parse_float(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


# -- reporting an issue ---------------------------------------------------------------------------


@dataclass
class Place:
    hub_id: str | None
    address: str | None
    lat: float | None
    lon: float | None


def check_place(form: FormData, hub_ids: Sequence[str]) -> tuple[Place, Errors]:
    errors = Errors()
    hub_id = form.one("hub_id") or None
    address = form.one("address") or None
    lat_text, lon_text = form.one("lat"), form.one("lon")
    lat = parse_float(lat_text) if lat_text else None
    lon = parse_float(lon_text) if lon_text else None
    if hub_id is not None and hub_id not in hub_ids:
        errors.add("hub_id", _("Choose an area from the list"))
    if lat_text and (lat is None or not -90 <= lat <= 90):
        errors.add("lat", _("Enter the latitude as a number between -90 and 90, like 53.815"))
    if lon_text and (lon is None or not -180 <= lon <= 180):
        errors.add("lon", _("Enter the longitude as a number between -180 and 180, like -1.55"))
    if bool(lat_text) != bool(lon_text):
        errors.add("lon" if lat_text else "lat", _("Enter both the latitude and the longitude, or neither"))
    has_point = lat is not None and lon is not None and not errors.get("lat") and not errors.get("lon")
    if not has_point and not address and not errors:
        errors.add("address", _("Enter the address or describe where the problem is"))
    if not has_point and hub_id is None and not errors.get("hub_id"):
        errors.add("hub_id", _("Choose the area the problem is in"))
    if address and len(address) > 500:
        errors.add("address", _("The address must be 500 characters or fewer"))
    return Place(hub_id, address, lat if has_point else None, lon if has_point else None), errors


def check_category(form: FormData, categories: Sequence[Mapping[str, Any]]) -> tuple[str | None, Errors]:
    errors = Errors()
    code = form.one("service_code")
    if not code:
        errors.add("service_code", _("Choose what the problem is"))
    elif code not in {c["code"] for c in categories}:
        errors.add("service_code", _("Choose one of the problems listed"))
    return code or None, errors


def attribute_field(code: str) -> str:
    return f"attr-{code}"


def check_details(form: FormData, category: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The description, the category's own questions and the optional photo link."""
    errors = Errors()
    description = form.one("description")
    if not description:
        errors.add("description", _("Describe the problem"))
    elif len(description) > 4000:
        errors.add("description", _("The description must be 4,000 characters or fewer"))
    answers: dict[str, Any] = {}
    for attribute in sorted(category.get("attributes", []), key=lambda a: a.get("order", 0)):
        if not attribute.get("variable", True):
            continue
        name, kind = attribute_field(attribute["code"]), attribute["datatype"]
        question = attribute["description"].rstrip("?").rstrip(".")
        allowed = {v["key"] for v in attribute.get("values", [])}
        if kind == "multivaluelist":
            chosen = form.all(name)
            if any(v not in allowed for v in chosen):
                errors.add(name, _("Choose from the options listed"))
            elif chosen:
                answers[attribute["code"]] = chosen
            elif attribute.get("required"):
                errors.add(name, _("Answer: %(question)s", question=question))
            continue
        value = form.one(name)
        if not value:
            if attribute.get("required"):
                errors.add(name, _("Answer: %(question)s", question=question))
            continue
        if kind == "singlevaluelist" and value not in allowed:
            errors.add(name, _("Choose one of the options listed"))
        elif kind == "number":
            number = parse_float(value)
            if number is None:
                errors.add(name, _("Enter a number, like 2 or 3.5"))
            else:
                answers[attribute["code"]] = number
        elif kind == "datetime":
            try:
                answers[attribute["code"]] = datetime.fromisoformat(value).isoformat()
            except ValueError:
                errors.add(name, _("Enter a date and time, like 2026-11-20 14:30"))
        elif kind == "string" and len(value) > 200:
            errors.add(name, _("The answer must be 200 characters or fewer"))
        elif len(value) > 4000:
            errors.add(name, _("The answer must be 4,000 characters or fewer"))
        else:
            answers[attribute["code"]] = value
    media_url = form.one("media_url")
    if media_url and not URL.match(media_url):
        errors.add("media_url", _("Enter the photo link as a web address starting with https://"))
    return {"description": description, "attributes": answers, "media_url": media_url or None}, errors


def check_sign_in_email(form: FormData) -> tuple[str, Errors]:
    """The address a volunteer asks for a sign-in link at."""
    return check_email(form, missing="Enter the email address you volunteer with")


def check_email(form: FormData, *, missing: str) -> tuple[str, Errors]:
    """A required email address in the form's ``email`` field."""
    errors, email = Errors(), form.one("email")
    if not email:
        errors.add("email", missing)
    elif not EMAIL.match(email):
        errors.add("email", _(EMAIL_FORMAT))
    return email, errors


def check_contact(form: FormData, *, required: bool = True) -> tuple[dict[str, str | None], Errors]:
    errors = Errors()
    name, email, phone = form.one("name"), form.one("email"), form.one("phone")
    if not name and required:
        errors.add("name", _("Enter your name"))
    elif len(name) > 200:
        errors.add("name", _("Your name must be 200 characters or fewer"))
    if email and not EMAIL.match(email):
        errors.add("email", _(EMAIL_FORMAT))
    if phone and not PHONE.match(phone):
        errors.add("phone", _("Enter a phone number using digits and spaces, like 07700 900 982"))
    if required and not email and not phone:
        errors.add("email", _("Enter an email address or a phone number so the hub can tell you what happens"))
    return {"name": name or None, "email": email or None, "phone": phone or None}, errors


REPORT_FIELDS = {
    "service_code": "service_code",
    "description": "description",
    "lat": "lat",
    "lon": "lon",
    "address": "address",
    "jurisdiction_id": "hub_id",
    "media_url": "media_url",
    "photo_ids": "photos",
    "photos": "photos",
    "contact.name": "name",
    "contact.email": "email",
    "contact.phone": "phone",
    "contact": "email",
}


# -- volunteering ---------------------------------------------------------------------------------


def check_date(form: FormData, prefix: str, errors: Errors, *, label: str, missing: str | None = None) -> date | None:
    day, month, year = (form.one(f"{prefix}-{part}") for part in ("day", "month", "year"))
    if not (day or month or year):
        errors.add(f"{prefix}-day", missing or _("Enter your %(label)s", label=label))
        return None
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        errors.add(f"{prefix}-day", _("%(label)s must be a real date, like 27 3 1990", label=label.capitalize()))
        return None
    if value.year < 1900:
        errors.add(f"{prefix}-year", _("Enter the year with 4 digits, like 1990"))
        return None
    return value


def availability_slots(chosen: Iterable[str]) -> list[dict[str, str]]:
    slots = []
    for value in chosen:
        day, _sep, part = value.partition("-")
        if day in dict(DAYS) and part in DAY_PARTS:
            _label, start, end = DAY_PARTS[part]
            slots.append({"day": day, "start": start.isoformat("minutes"), "end": end.isoformat("minutes")})
    return slots


CONSENT_WORDING = "web-2026-11"  # version of the consent text on the registration page


def check_registration(
    form: FormData, *, hub_ids: Sequence[str], skill_ids: Sequence[str], today: date
) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    contact, contact_errors = check_contact(form)
    for name, message in contact_errors.fields.items():
        errors.add(name, message.replace("so the hub can tell you what happens", "so the hub can reach you"))
    hub_id = form.one("hub_id")
    if hub_id not in hub_ids:
        errors.add("hub_id", "Choose the hub you want to volunteer with")
    born = check_date(form, "dob", errors, label="date of birth")
    if born and born >= today:
        errors.add("dob-day", "Date of birth must be in the past")
    minor = born is not None and (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 18
    skills = [s for s in form.all("skills") if s in skill_ids]
    interests = [w.strip()[:60] for w in form.one("interests").split(",") if w.strip()][:20]
    emergency = {
        "name": form.one("emergency_name"),
        "phone": form.one("emergency_phone"),
        "relationship": form.one("emergency_relationship") or None,
    }
    if not emergency["name"]:
        errors.add("emergency_name", "Enter the name of someone we can call in an emergency")
    if not emergency["phone"]:
        errors.add("emergency_phone", "Enter their phone number")
    elif not PHONE.match(emergency["phone"] or ""):
        errors.add("emergency_phone", "Enter a phone number using digits and spaces, like 07700 900 982")
    guardian = None
    if minor:
        guardian = {
            "name": form.one("guardian_name"),
            "relationship": form.one("guardian_relationship"),
            "phone": form.one("guardian_phone") or None,
            "consent": form.one("guardian_consent") == "yes",
        }
        if not guardian["name"]:
            errors.add("guardian_name", "Under 18s need a parent or guardian: enter their name")
        if not guardian["relationship"]:
            errors.add("guardian_relationship", "Enter how they are related to you, like mother or carer")
        if guardian["phone"] and not PHONE.match(str(guardian["phone"])):
            errors.add("guardian_phone", "Enter a phone number using digits and spaces, like 07700 900 982")
        if not guardian["consent"]:
            errors.add("guardian_consent", "Your parent or guardian must agree to you volunteering")
    if form.one("consent") != "yes":
        errors.add("consent", "Tick the box to agree, or we cannot register you")
    channels = set(form.all("channels"))
    body: dict[str, Any] = {
        "name": contact["name"],
        "email": contact["email"],
        "phone": contact["phone"],
        "hub_id": hub_id,
        "date_of_birth": born.isoformat() if born else None,
        "skills": [{"skill_id": s, "level": 2} for s in skills],
        "interests": interests,
        "availability": availability_slots(form.all("availability")),
        "consent": {
            "data_processing": form.one("consent") == "yes",
            "channels": {"email": "email" in channels, "sms": "sms" in channels, "inapp": "inapp" in channels},
            "wording_version": CONSENT_WORDING,
        },
        "emergency_contact": emergency,
        "recognition_opt_in": form.one("recognition") == "yes",
    }
    if guardian:
        body["guardian"] = guardian
    return body, errors


REGISTRATION_FIELDS = {
    "name": "name",
    "email": "email",
    "phone": "phone",
    "hub_id": "hub_id",
    "date_of_birth": "dob-day",
    "availability": "availability",
    "consent": "consent",
    "consent.data_processing": "consent",
    "emergency_contact.name": "emergency_name",
    "emergency_contact.phone": "emergency_phone",
    "guardian": "guardian_name",
    "guardian.consent": "guardian_consent",
    "guardian.name": "guardian_name",
    "guardian.phone": "guardian_phone",
}


# -- feedback and staff actions -------------------------------------------------------------------


def check_feedback(form: FormData) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    fixed = form.one("fixed")
    if fixed not in ("yes", "no"):
        errors.add("fixed", _("Tell us whether the problem is fixed"))
    satisfaction = form.one("satisfaction")
    if satisfaction and satisfaction not in {"1", "2", "3", "4", "5"}:
        errors.add("satisfaction", _("Choose how satisfied you are from the list"))
    comment = form.one("comment")
    if len(comment) > 2000:
        errors.add("comment", _("Your comment must be 2,000 characters or fewer"))
    body = {"fixed": fixed == "yes", "satisfaction": int(satisfaction) if satisfaction else None}
    if comment:
        body["comment"] = comment
    return body, errors


ACTION_NEEDS = {"refer": "agency_responsible", "close_not_fixed": "reason"}


def check_transition(form: FormData, allowed: Sequence[str]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    action = form.one("action")
    if action not in allowed:
        errors.add("action", "Choose what to do next")
    note = form.one("public_note")
    if not note:
        errors.add("public_note", "Write a public note: residents see it on the issue page")
    elif len(note) > 4000:
        errors.add("public_note", "The public note must be 4,000 characters or fewer")
    body: dict[str, Any] = {"action": action, "public_note": note}
    if form.one("private_note"):
        body["private_note"] = form.one("private_note")
    needed = ACTION_NEEDS.get(action)
    if needed:
        value = form.one(needed)
        if not value:
            what = "the organisation it is referred to" if needed == "agency_responsible" else "why it is not fixed"
            errors.add(needed, f"Enter {what}")
        body[needed] = value
    return body, errors


def check_hide_reason(form: FormData, field_id: str) -> tuple[str, Errors]:
    """The reason to hide a photo, from the form beside it (``field_id``: that photo's field)."""
    errors = Errors()
    reason = form.one("hide_reason")
    if not reason:
        errors.add(field_id, "Say why the photo is hidden, for the other staff")
    elif len(reason) > 500:
        errors.add(field_id, "The reason must be 500 characters or fewer")
    return reason, errors


TRANSITION_FIELDS = {
    "action": "action",
    "public_note": "public_note",
    "private_note": "private_note",
    "agency_responsible": "agency_responsible",
    "reason": "reason",
    "photo_ids": "photos",
    "photos": "photos",
}


def check_background_check(form: FormData, today: date) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    level = form.one("level")
    if level not in ("basic", "standard", "enhanced"):
        errors.add("level", "Choose the level of the check")
    ref = form.one("certificate_ref")
    if not ref:
        errors.add("certificate_ref", "Enter the certificate number")
    issued = check_date(form, "issued", errors, label="date the certificate was issued")
    if issued and issued > today:
        errors.add("issued-day", "The issue date cannot be in the future")
    renewal = check_date(form, "renewal", errors, label="renewal date")
    if issued and renewal and renewal <= issued:
        errors.add("renewal-day", "The renewal date must be after the issue date")
    body = {
        "level": level,
        "certificate_ref": ref,
        "issued_on": issued.isoformat() if issued else None,
        "renewal_due": renewal.isoformat() if renewal else None,
    }
    return body, errors


CHECK_FIELDS = {
    "level": "level",
    "certificate_ref": "certificate_ref",
    "issued_on": "issued-day",
    "renewal_due": "renewal-day",
}


# -- hours and recognition ------------------------------------------------------------------------

MAX_HOURS_PER_ENTRY = 24  # the volunteers service's limit for one entry


def check_hours(form: FormData, shift_ids: Sequence[str]) -> tuple[dict[str, Any], Errors]:
    """A volunteer's hours for one of their shifts: which shift, how long (quarter hours), a note."""
    errors = Errors()
    shift_id = form.one("shift_id")
    if shift_id not in shift_ids:
        errors.add("shift_id", "Choose the shift you did")
    hours = parse_float(form.one("hours").replace(",", "."))
    if not form.one("hours"):
        errors.add("hours", "Enter how many hours you volunteered")
    elif hours is None:
        errors.add("hours", "Enter the hours as a number, like 2.5")
    elif not 0 < hours <= MAX_HOURS_PER_ENTRY:
        errors.add("hours", f"Hours must be more than 0 and no more than {MAX_HOURS_PER_ENTRY}")
    note = form.one("note")
    if len(note) > 500:
        errors.add("note", "The note must be 500 characters or fewer")
    return {"shift_id": shift_id, "hours": hours, "note": note or None}, errors


HOURS_FIELDS = {"shift_id": "shift_id", "hours": "hours", "worked_on": "shift_id", "note": "note"}


def check_reason(form: FormData, *, required: bool) -> tuple[str | None, Errors]:
    errors = Errors()
    reason = form.one("reason")
    if required and not reason:
        errors.add("reason", "Say why, so the volunteer knows what to put right")
    elif len(reason) > 500:
        errors.add("reason", "The reason must be 500 characters or fewer")
    return reason or None, errors


def check_award(form: FormData) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    title, citation, period = form.one("award_title"), form.one("citation"), form.one("period")
    if not title:
        errors.add("award_title", "Enter the name of the award, like Volunteer of the Month")
    elif len(title) > 200:
        errors.add("award_title", "The name of the award must be 200 characters or fewer")
    if not citation:
        errors.add("citation", "Say what the award is for")
    elif len(citation) > 2000:
        errors.add("citation", "What the award is for must be 2000 characters or fewer")
    if len(period) > 40:
        errors.add("period", "The period must be 40 characters or fewer")
    body = {"title": title, "citation": citation, "period": period or None, "public": form.one("public") == "yes"}
    return body, errors


AWARD_FIELDS = {"title": "award_title", "citation": "citation", "period": "period"}


def optional_date(form: FormData, prefix: str, errors: Errors, *, label: str) -> date | None:
    """A date that may be left empty (all three parts); partly filled in is an error."""
    if not any(form.one(f"{prefix}-{part}") for part in ("day", "month", "year")):
        return None
    return check_date(form, prefix, errors, label=label)


def check_accreditation(form: FormData, today: date, skill_ids: Sequence[str]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    name, issuer, skill_id = form.one("accreditation"), form.one("issuer"), form.one("skill_id")
    if not name:
        errors.add("accreditation", "Enter the name of the training or qualification")
    elif len(name) > 200:
        errors.add("accreditation", "The name must be 200 characters or fewer")
    if not issuer:
        errors.add("issuer", "Enter who gave it, like St John Ambulance")
    elif len(issuer) > 200:
        errors.add("issuer", "Who gave it must be 200 characters or fewer")
    if skill_id and skill_id not in skill_ids:
        errors.add("skill_id", "Choose a skill from the list, or none")
    issued = check_date(form, "awarded", errors, label="date it was awarded", missing="Enter the date it was awarded")
    if issued and issued > today:
        errors.add("awarded-day", "The date it was awarded cannot be in the future")
    expires = optional_date(form, "expires", errors, label="expiry date")
    if issued and expires and expires <= issued:
        errors.add("expires-day", "The expiry date must be after the date it was awarded")
    body = {
        "name": name,
        "issuer": issuer,
        "skill_id": skill_id or None,
        "issued_on": issued.isoformat() if issued else None,
        "expires_on": expires.isoformat() if expires else None,
    }
    return body, errors


ACCREDITATION_FIELDS = {
    "name": "accreditation",
    "issuer": "issuer",
    "skill_id": "skill_id",
    "issued_on": "awarded-day",
    "expires_on": "expires-day",
}
