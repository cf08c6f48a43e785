"""Templates (fields checked when saved), delivery backoff and the shipped rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub_notifications.domain.messages import (
    RETRY_DELAYS,
    WAITING_FOR_CONTACT,
    after_temporary_failure,
    message_id,
    waiting_for_contact,
)
from hub_notifications.domain.rules import DEFAULT_TEMPLATES, RULES
from hub_notifications.domain.templates import Template, TemplateError, check_fields, placeholders, render
from hub_notifications.service.templates import available_fields


def template(body: str, subject: str = "Hello") -> Template:
    return Template("issue_acknowledgement", "email", "en", subject, body)


def test_placeholders_are_the_plain_fields_used() -> None:
    assert placeholders("Hi {display_name}, ref {issue_id}. {{not a field}}") == {"display_name", "issue_id"}


@pytest.mark.parametrize("body", ["{contact.email}", "{values[0]}", "{name!r}", "{amount:>10}", "{ unclosed"])
def test_format_tricks_are_refused(body: str) -> None:
    with pytest.raises(TemplateError):
        placeholders(body)


def test_a_field_the_event_cannot_supply_is_rejected() -> None:
    available = available_fields("hub.issues.issue.reported.v1")
    check_fields(template("Ref {issue_id} at {address}, {display_name}"), available)
    with pytest.raises(TemplateError, match="email") as raised:
        check_fields(template("We will write to {email}"), available)
    assert "issue_id" in str(raised.value)  # says what is available


def test_render_fills_fields_and_leaves_missing_optional_values_blank() -> None:
    subject, body = render(
        template("Hello {display_name}, about {address}.", subject="Report {issue_id}"),
        {"display_name": "Sam", "issue_id": "ISS-1", "address": None},
    )
    assert subject == "Report ISS-1"
    assert body == "Hello Sam, about ."


def test_every_default_template_only_uses_fields_every_one_of_its_events_supplies() -> None:
    from hub_notifications.service.templates import fields_for_message_type

    for default in DEFAULT_TEMPLATES:
        check_fields(default, fields_for_message_type(default.message_type))


def test_dates_are_offered_in_plain_words_in_uk_local_time() -> None:
    from hub_notifications.service.planning import with_plain_text

    values = with_plain_text({"starts_at": "2026-12-05T10:00:00Z", "expires_on": "2027-01-31", "name": "x"})
    assert values["starts_at_text"] == "Saturday 5 December 2026 at 10:00"
    assert values["expires_on_text"] == "31 January 2027"
    summer = with_plain_text({"starts_at": "2026-07-04T09:30:00+00:00"})
    assert summer["starts_at_text"] == "Saturday 4 July 2026 at 10:30"  # British Summer Time
    assert "name_text" not in values
    assert "starts_at_text" in available_fields("hub.volunteers.signup.confirmed.v1")


def test_every_rule_has_a_default_template_for_each_channel() -> None:
    keys = {(t.message_type, t.channel) for t in DEFAULT_TEMPLATES if t.language == "en"}
    for rule in RULES:
        for channel in rule.channels:
            assert (rule.message_type, channel) in keys


def test_message_id_is_one_per_event_recipient_and_channel() -> None:
    first = message_id("/hub/issues", "e1", "p1", "email")
    assert first == message_id("/hub/issues", "e1", "p1", "email")
    assert first != message_id("/hub/issues", "e1", "p1", "email", "shift_reminder")
    assert (
        len({first, message_id("/hub/issues", "e1", "p1", "inapp"), message_id("/hub/issues", "e2", "p1", "email")})
        == 3
    )


def test_temporary_failures_back_off_then_become_permanent() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    first = after_temporary_failure(1, now, "server busy")
    assert first.status == "temporary_failure"
    assert first.next_attempt_at == now + RETRY_DELAYS[0]
    later = after_temporary_failure(3, now, "server busy")
    assert later.next_attempt_at - now > first.next_attempt_at - now
    final = after_temporary_failure(len(RETRY_DELAYS) + 1, now, "server busy")
    assert final.status == "permanent_failure"
    assert final.next_attempt_at is None
    assert RETRY_DELAYS[-1] >= timedelta(hours=1)


def test_a_rule_can_address_one_person_or_everyone_in_a_list() -> None:
    from hub_notifications.domain.rules import Rule
    from hub_notifications.service.planning import audience_of

    one = Rule("t", "m", audience="reporter_id", channels=("email",), category="c")
    many = Rule("t", "m", audience="volunteer_ids", channels=("email",), category="c")
    assert audience_of(one, {"reporter_id": "p1"}) == ["p1"]
    assert audience_of(one, {"reporter_id": None}) == []
    assert audience_of(many, {"volunteer_ids": ["a", "b", "a", ""]}) == ["a", "b"]


def test_throttling_holds_back_only_past_the_limit_until_the_window_frees_up() -> None:
    from hub_notifications.domain.messages import throttled

    frees_at = datetime(2026, 11, 26, 11, 5, tzinfo=UTC)
    assert throttled(9, 10, "email", frees_at) is None
    email, sms = throttled(10, 10, "email", frees_at), throttled(10, 10, "sms", frees_at)
    # Emails past the limit join one digest sent when the window frees up; others wait once until then.
    assert (email.status, email.next_attempt_at) == ("digest_pending", frees_at)
    assert (sms.status, sms.next_attempt_at) == ("deferred", frees_at)
    assert throttled(1000, 0, "email", frees_at) is None  # 0 turns the limit off


def test_statuses_read_as_plain_words() -> None:
    from hub_notifications.service.planning import with_plain_text

    assert with_plain_text({"status": "in_progress"})["status_text"] == "being worked on"
    assert with_plain_text({"status": "not_listed"})["status_text"] == "not listed"


def test_a_message_waiting_for_contact_details_retries_soon_then_less_often() -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    delays = [waiting_for_contact(attempts, now).next_attempt_at - now for attempts in (1, 2, 3, 8, 20)]
    assert delays == [timedelta(seconds=s) for s in (1, 2, 4, 60, 60)]
    assert waiting_for_contact(1, now).status == "temporary_failure"
    assert waiting_for_contact(1, now).reason == WAITING_FOR_CONTACT


def test_a_channel_goes_down_after_a_few_unreachable_sends_and_probes_less_often_until_it_answers() -> None:
    from hub_notifications.domain.channels import PROBE_FIRST, PROBE_MAX, UNREACHABLE_LIMIT, ChannelHealth

    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    health = ChannelHealth.fresh("email", now)
    for _ in range(UNREACHABLE_LIMIT - 1):
        health = health.could_not_reach("connection refused", now)
    assert not health.down  # a blip is each message's own retry
    assert health.reached(now).unreachable == 0  # an answer in between starts the count again
    health = health.could_not_reach("connection refused", now)
    assert health.down and health.next_probe_at == now + PROBE_FIRST
    assert health.could_not_reach("again", now) == health  # sends already under way change nothing
    assert not health.probe_due(now) and health.probe_due(now + PROBE_FIRST)
    delays = []
    for _ in range(5):
        health = health.probe_failed("still refused", now)
        delays.append(health.next_probe_at - now)
    assert delays == sorted(delays) and delays[-1] == PROBE_MAX <= timedelta(seconds=5)
    for _ in range(500):  # an outage of many minutes: the probes keep their pace, nothing overflows
        health = health.probe_failed("still refused", now)
    assert health.next_probe_at - now == PROBE_MAX and health.probes == 505
    up = health.reached(now + timedelta(minutes=2))
    assert (up.state, up.since, up.next_probe_at, up.unreachable) == ("up", now + timedelta(minutes=2), None, 0)


def test_each_welsh_default_has_its_english_one_and_the_same_fields() -> None:
    english = {(t.message_type, t.channel): t for t in DEFAULT_TEMPLATES if t.language == "en"}
    welsh = [t for t in DEFAULT_TEMPLATES if t.language == "cy"]
    assert {t.message_type for t in welsh} >= {"issue_acknowledgement", "issue_fixed", "issue_update"}
    for text in welsh:
        source = english[(text.message_type, text.channel)]
        same = placeholders(text.subject + text.body) == placeholders(source.subject + source.body)
        assert same, text.key  # a dropped {link} would strand the resident
        assert text.body != source.body
