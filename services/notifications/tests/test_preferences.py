"""Preferences: opt-outs, quiet hours across midnight and time zones, digests, critical bypass."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from hub_notifications.domain.preferences import Preferences, QuietHours, decide, next_digest_at

NIGHT = QuietHours(time(21, 0), time(8, 0))
WINTER_EVENING = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 22:30 in London (GMT)
SUMMER_MORNING = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)  # 07:30 in London (BST)


def prefs(**kw) -> Preferences:
    return Preferences(id="p", **kw)


def test_no_preferences_means_send() -> None:
    assert decide(None, category="issue_updates", channel="email", critical=False, now=WINTER_EVENING).action == "send"


def test_opt_out_by_channel_or_for_the_whole_category() -> None:
    by_email = prefs(opt_outs=frozenset({"issue_updates:email"}))
    assert (
        decide(by_email, category="issue_updates", channel="email", critical=False, now=SUMMER_MORNING).action == "skip"
    )
    assert (
        decide(by_email, category="issue_updates", channel="inapp", critical=False, now=SUMMER_MORNING).action == "send"
    )
    everything = prefs(opt_outs=frozenset({"issue_updates:*"}))
    assert (
        decide(everything, category="issue_updates", channel="inapp", critical=False, now=SUMMER_MORNING).action
        == "skip"
    )


def test_critical_messages_bypass_every_preference() -> None:
    strict = prefs(opt_outs=frozenset({"shifts:*"}), quiet_hours=NIGHT, digest="daily")
    assert decide(strict, category="shifts", channel="sms", critical=True, now=WINTER_EVENING).action == "send"


@pytest.mark.parametrize(
    ("now", "deferred_until"),
    [
        (WINTER_EVENING, datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),  # 22:30 GMT → 08:00 GMT next day
        (SUMMER_MORNING, datetime(2026, 7, 1, 7, 0, tzinfo=UTC)),  # 07:30 BST → 08:00 BST = 07:00 UTC
    ],
)
def test_quiet_hours_defer_noisy_channels_until_they_end_in_local_time(now, deferred_until) -> None:
    decision = decide(prefs(quiet_hours=NIGHT), category="issue_updates", channel="email", critical=False, now=now)
    assert decision.action == "defer" and decision.until == deferred_until
    quiet_inapp = decide(prefs(quiet_hours=NIGHT), category="issue_updates", channel="inapp", critical=False, now=now)
    assert quiet_inapp.action == "send"


def test_outside_quiet_hours_messages_go_now() -> None:
    noon = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert decide(prefs(quiet_hours=NIGHT), category="x", channel="email", critical=False, now=noon).action == "send"


def test_daily_and_weekly_digests_collect_email_until_eight_local_time() -> None:
    tuesday_noon = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    daily = decide(prefs(digest="daily"), category="x", channel="email", critical=False, now=tuesday_noon)
    assert daily.action == "digest" and daily.until == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    weekly = next_digest_at(prefs(digest="weekly"), tuesday_noon)
    assert weekly == datetime(2026, 12, 7, 8, 0, tzinfo=UTC) and weekly.weekday() == 0
