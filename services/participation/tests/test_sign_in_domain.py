"""The sub an email address stands for, and the per-address limit on sign-in links (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub_common.residents import EMAIL_RESIDENT_PREFIX, is_email_resident
from hub_participation.domain.sign_in import LINKS_PER_WINDOW, after_sending, normalised_email, resident_sub

KEY = b"a-test-key-for-resident-subs"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_the_same_address_is_the_same_resident_whatever_its_letter_case_or_spaces() -> None:
    sub = resident_sub(KEY, "Ann.Jones@Example.org")
    assert sub == resident_sub(KEY, "  ann.jones@example.ORG ") and normalised_email(" A@B.org ") == "a@b.org"
    assert sub.startswith(EMAIL_RESIDENT_PREFIX) and is_email_resident(sub) and len(sub) <= 128


def test_the_sub_names_no_one_and_depends_on_the_key_and_the_address() -> None:
    sub = resident_sub(KEY, "ann.jones@example.org")
    assert "ann" not in sub and "example" not in sub
    assert sub != resident_sub(b"another-key", "ann.jones@example.org")
    assert sub != resident_sub(KEY, "ann.jones2@example.org")


def test_a_browsers_pseudonymous_resident_is_not_an_email_resident() -> None:
    assert not is_email_resident("web-0123456789abcdef") and not is_email_resident(None)
    assert not is_email_resident("res-1") and not is_email_resident("")


def test_a_few_links_an_hour_per_address_then_none_until_the_oldest_is_an_hour_old() -> None:
    record = None
    for n in range(LINKS_PER_WINDOW):
        assert record is None or record.may_send(NOW + timedelta(minutes=n))
        record = after_sending("resident-email-x", record, NOW + timedelta(minutes=n))
    assert record is not None and len(record.sent) == LINKS_PER_WINDOW
    assert not record.may_send(NOW + timedelta(minutes=59))
    later = NOW + timedelta(minutes=60)
    assert record.may_send(later)  # the first link is an hour old: it no longer counts
    again = after_sending("resident-email-x", record, later)
    assert again.sent == [NOW + timedelta(minutes=1), NOW + timedelta(minutes=2), later]
    assert again.expires_at == later + timedelta(hours=1)
