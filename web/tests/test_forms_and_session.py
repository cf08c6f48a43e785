"""Unit tests: form checks, the session cookie, staff accounts and colour contrast (no network)."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from hub_common.residents import EMAIL_RESIDENT_PREFIX
from hub_web import forms
from hub_web.accounts import (
    DEMO_PASSWORD,
    AccountBook,
    StaffAccount,
    demo_accounts,
    hash_password,
    parse_accounts,
    verify_password,
)
from hub_web.branding import contrast_ratio
from hub_web.clients import ServiceProblem
from hub_web.forms import FormData
from hub_web.routes.email_sign_in import return_path
from hub_web.session import Session, SessionCodec
from hub_web.settings import WebSettings

SECRET = "test-secret-with-enough-length-0123456789"


def test_place_needs_an_address_or_a_position_and_checks_the_numbers() -> None:
    _place, errors = forms.check_place(FormData(), ["hub-a"])
    assert errors.get("address") and errors.get("hub_id")
    _place, errors = forms.check_place(FormData([("lat", "91"), ("lon", "x")]), ["hub-a"])
    assert "between -90 and 90" in errors.get("lat") and "longitude" in errors.get("lon")
    _place, errors = forms.check_place(FormData([("lat", "53.8")]), ["hub-a"])
    assert "both" in errors.get("lon")
    place, errors = forms.check_place(FormData([("lat", " 53.8 "), ("lon", "-1.5")]), ["hub-a"])
    assert not errors and (place.lat, place.lon, place.hub_id) == (53.8, -1.5, None)
    place, errors = forms.check_place(FormData([("hub_id", "hub-a"), ("address", "High St")]), ["hub-a"])
    assert not errors and place.address == "High St"
    _place, errors = forms.check_place(FormData([("hub_id", "elsewhere"), ("address", "x")]), ["hub-a"])
    assert errors.get("hub_id") == "Choose an area from the list"


CATEGORY = {
    "code": "fly_tipping",
    "attributes": [
        {"code": "waste", "datatype": "multivaluelist", "description": "What has been dumped?", "required": True,
         "values": [{"key": "household", "name": "Household"}, {"key": "furniture", "name": "Furniture"}]},
        {"code": "amount", "datatype": "singlevaluelist", "description": "How much?", "required": True,
         "values": [{"key": "bag", "name": "A bag"}]},
        {"code": "depth", "datatype": "number", "description": "How deep?", "required": False, "values": []},
        {"code": "seen", "datatype": "datetime", "description": "When?", "required": False, "values": []},
        {"code": "info", "datatype": "string", "description": "Info only", "variable": False, "values": []},
    ],
}  # fmt: skip


def test_details_check_each_category_question_by_its_type() -> None:
    _details, errors = forms.check_details(FormData([("attr-depth", "deep"), ("attr-seen", "yesterday")]), CATEGORY)
    assert errors.get("description") == "Describe the problem"
    assert errors.get("attr-waste") == "Answer: What has been dumped"
    assert errors.get("attr-amount") == "Answer: How much"
    assert "number" in errors.get("attr-depth") and "date and time" in errors.get("attr-seen")
    _details, errors = forms.check_details(
        FormData([("description", "x"), ("attr-waste", "gold"), ("attr-amount", "bag")]), CATEGORY
    )
    assert errors.get("attr-waste") == "Choose from the options listed"
    details, errors = forms.check_details(
        FormData(
            [
                ("description", "Sofa dumped"),
                ("attr-waste", "household"),
                ("attr-waste", "furniture"),
                ("attr-amount", "bag"),
                ("attr-depth", "2.5"),
                ("media_url", "https://photos.example/1.jpg"),
            ]
        ),
        CATEGORY,
    )
    assert not errors
    assert details["attributes"] == {"waste": ["household", "furniture"], "amount": "bag", "depth": 2.5}
    assert details["media_url"] == "https://photos.example/1.jpg"
    _details, errors = forms.check_details(FormData([("description", "x"), ("media_url", "javascript:alert(1)")]), {})
    assert errors.get("media_url")


def test_contact_needs_a_name_and_a_way_to_reach_you() -> None:
    _contact, errors = forms.check_contact(FormData([("email", "not-an-email"), ("phone", "call me")]))
    assert errors.get("name") and "correct format" in errors.get("email") and "digits" in errors.get("phone")
    _contact, errors = forms.check_contact(FormData([("name", "Sam")]))
    assert "email address or a phone number" in errors.get("email")
    contact, errors = forms.check_contact(FormData([("name", "Sam"), ("phone", "07700 900123")]))
    assert not errors and contact == {"name": "Sam", "email": None, "phone": "07700 900123"}


def registration(**changes: str) -> FormData:
    values = {
        "name": "Robin",
        "email": "robin@example.org",
        "hub_id": "hub-a",
        "dob-day": "14",
        "dob-month": "6",
        "dob-year": "1990",
        "emergency_name": "Alex",
        "emergency_phone": "07700 900123",
        "consent": "yes",
    } | changes
    extra = [("availability", "sat-morning"), ("availability", "funday-morning"), ("skills", "gardening")]
    return FormData([*[(k, v) for k, v in values.items() if v], *extra, ("channels", "email")])


def test_registration_builds_the_volunteers_service_body() -> None:
    body, errors = forms.check_registration(
        registration(), hub_ids=["hub-a"], skill_ids=["gardening"], today=date(2026, 11, 26)
    )
    assert not errors
    assert body["date_of_birth"] == "1990-06-14" and body["skills"] == [{"skill_id": "gardening", "level": 2}]
    assert body["availability"] == [{"day": "sat", "start": "09:00", "end": "12:00"}]  # unknown day dropped
    assert body["consent"]["data_processing"] is True
    assert body["consent"]["channels"] == {"email": True, "sms": False, "inapp": False}
    assert "guardian" not in body


def test_registration_errors_consent_dates_and_under_18s() -> None:
    today = date(2026, 11, 26)
    _body, errors = forms.check_registration(
        registration(consent="", **{"dob-month": "13"}), hub_ids=["hub-a"], skill_ids=[], today=today
    )
    assert "real date" in errors.get("dob-day") and "agree" in errors.get("consent")
    _body, errors = forms.check_registration(
        registration(**{"dob-year": "2011"}), hub_ids=["hub-a"], skill_ids=[], today=today
    )
    assert "parent or guardian" in errors.get("guardian_name") and errors.get("guardian_consent")
    body, errors = forms.check_registration(
        registration(
            **{"dob-year": "2011", "guardian_name": "Pat", "guardian_relationship": "mother", "guardian_consent": "yes"}
        ),
        hub_ids=["hub-a"],
        skill_ids=[],
        today=today,
    )
    assert not errors and body["guardian"]["consent"] is True


def test_service_field_errors_land_on_the_form_fields() -> None:
    problem = ServiceProblem(
        "issues",
        422,
        "Invalid request",
        "some fields are not valid",
        errors=[
            {"field": "body.contact.email", "message": "value is not a valid email address"},
            {"field": "body.attributes.depth", "message": "must be a number"},
        ],
    )
    errors = forms.from_problem(problem, forms.REPORT_FIELDS)
    assert errors.get("email") == "Value is not a valid email address"
    assert errors.general == ["Attributes.depth: must be a number"]
    bare = forms.from_problem(ServiceProblem("issues", 409, "Conflict", "already fixed"), {})
    assert bare.general == ["Already fixed"]


def test_the_session_cookie_is_signed_and_expires() -> None:
    codec = SessionCodec("k" * 32)
    session = Session()
    session.sign_in(kind="staff", sub="staff-a", role="staff", hubs=["hub-a"], ttl=timedelta(hours=1))
    cookie = codec.dumps(session)
    again = codec.loads(cookie)
    assert again.is_staff and again.can_manage("hub-a") and not again.can_manage("hub-b")
    assert again.csrf == session.csrf and again.csrf_ok(session.csrf) and not again.csrf_ok("forged")
    assert not codec.loads(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")).signed_in  # tampered
    assert not SessionCodec("other-key-" * 4).loads(cookie).signed_in  # another key
    session.expires_at = time.time() - 1
    assert not codec.loads(codec.dumps(session)).signed_in


def test_signing_in_rotates_the_csrf_token_and_tokens_carry_the_identity() -> None:
    session = Session()
    before = session.csrf
    session.ensure_resident(timedelta(days=1))
    assert session.csrf != before and session.sub.startswith("web-") and session.role == "resident"
    identity = session.service_identity()
    assert (identity.sub, identity.role) == (session.sub, "resident")
    for n in range(30):
        session.remember_report(f"iss-{n}")
    assert len(session.reports) == 20 and session.reports[0] == "iss-29"
    session.sign_out()
    assert not session.signed_in and session.reports == [] and session.service_identity() is None


def test_only_an_email_sign_in_makes_a_verified_resident_and_it_survives_the_cookie() -> None:
    codec = SessionCodec("k" * 32)
    session = Session()
    session.ensure_resident(timedelta(days=1))
    assert session.signed_in and not session.verified and not session.is_verified_resident
    email_sub = EMAIL_RESIDENT_PREFIX + "0123abcd"
    session.sign_in(kind="resident", sub=email_sub, role="resident", ttl=timedelta(days=1), verified=True)
    again = codec.loads(codec.dumps(session))
    assert again.verified and again.is_verified_resident and again.sub == email_sub
    # The flag alone is not enough: a browser's own sub, or staff, is never a verified resident.
    session.sign_in(kind="resident", sub="web-1", role="resident", ttl=timedelta(days=1), verified=True)
    assert not session.is_verified_resident
    session.sign_in(kind="staff", sub="staff-a", role="staff", hubs=["hub-a"], ttl=timedelta(hours=1))
    assert not session.verified and not session.is_verified_resident
    session.sign_in(kind="resident", sub=email_sub, role="resident", ttl=timedelta(days=1), verified=True)
    session.sign_out()
    assert not session.verified and not session.is_verified_resident


def test_a_sign_in_links_page_to_return_to_is_a_plain_path_of_this_site() -> None:
    assert return_path("/budgeting/pb-1") == "/budgeting/pb-1"
    for bad in ("//evil.example/x", "https://evil.example/", "/budgeting?x=1", "/a b", None, "", "/\\x"):
        assert return_path(bad) == "/"


def test_staff_passwords_are_scrypt_hashed_and_checked_in_constant_time() -> None:
    encoded = hash_password("correct horse battery")
    assert encoded.startswith("scrypt$") and "correct" not in encoded
    assert verify_password("correct horse battery", encoded) and not verify_password("wrong", encoded)
    assert not verify_password("x", "plain-text-password")
    book = AccountBook([StaffAccount("jo", "Jo", "staff", ("hub-a",), encoded)])
    assert book.authenticate(" JO ", "correct horse battery").hubs == ("hub-a",)
    assert book.authenticate("jo", "wrong") is None and book.authenticate("nobody", "x") is None


def test_staff_accounts_configuration_is_checked() -> None:
    encoded = hash_password("a long enough password")
    accounts = parse_accounts(f'[{{"username": "Ann", "hubs": ["hub-a"], "password_hash": "{encoded}"}}]')
    assert accounts[0].username == "ann" and accounts[0].role == "staff"
    with pytest.raises(ValueError, match="not JSON"):
        parse_accounts("{nope")
    with pytest.raises(ValueError, match="password_hash"):
        parse_accounts('[{"username": "ann", "password_hash": "secret"}]')
    with pytest.raises(ValueError, match="role"):
        parse_accounts(f'[{{"username": "ann", "role": "admin", "password_hash": "{encoded}"}}]')
    [cllr] = parse_accounts(
        f'[{{"username": "cllr", "role": "councillor", "hubs": ["hub-a"], "password_hash": "{encoded}"}}]'
    )
    assert (cllr.role, cllr.hubs) == ("councillor", ("hub-a",))


def test_each_demo_hub_has_a_demo_councillor_of_that_hub_alone() -> None:
    book = AccountBook(demo_accounts())
    northfield = book.authenticate("councillor-northfield", DEMO_PASSWORD)
    riverside = book.authenticate("councillor-riverside", DEMO_PASSWORD)
    assert northfield is not None and riverside is not None
    assert (northfield.role, northfield.hubs) == ("councillor", ("hub-northfield",))
    assert (riverside.role, riverside.hubs) == ("councillor", ("hub-riverside",))


def test_hub_colours_must_keep_white_text_readable_and_production_refuses_dev_shortcuts() -> None:
    assert round(contrast_ratio("#ffffff", "#000000"), 1) == 21.0
    assert WebSettings(hub_colours='{"hub-a": "#1d4f91"}').colour_for("hub-a") == "#1d4f91"
    with pytest.raises(ValueError, match="contrast"):
        WebSettings(hub_colours='{"hub-a": "#ffdd00"}')
    with pytest.raises(ValueError, match="HUB_WEB_ISSUER_CLIENT_SECRET"):
        WebSettings(environment="production")
    private = {"issuer_client_secret": SECRET, "auth_issuer": "https://issuer.council.example"}
    with pytest.raises(ValueError, match="development only"):
        WebSettings(environment="production", demo_accounts=True, **private)
    assert WebSettings(environment="production", **private).environment == "production"
    # A derived key, not the client secret itself.
    assert WebSettings(issuer_client_secret=SECRET).cookie_key != SECRET
