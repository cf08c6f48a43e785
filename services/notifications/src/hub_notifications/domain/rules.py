"""Rules from events to messages: who hears about an event, on which channels, with which template."""

from __future__ import annotations

from dataclasses import dataclass

from hub_notifications.domain.templates import Template

RECIPIENT_FIELDS = frozenset({"display_name"})
HUB_STAFF = "@hub_staff"  # audience: the staff who asked for alerts about the event's hub


@dataclass(frozen=True)
class Rule:
    event_type: str
    message_type: str
    audience: str  # the event field holding the recipient id(s), or HUB_STAFF
    channels: tuple[str, ...]
    category: str  # what people opt out of, e.g. "issue_updates"
    critical: bool = False  # safeguarding and cancellations bypass preferences


RULES: tuple[Rule, ...] = (
    Rule(
        event_type="hub.issues.issue.reported.v1",
        message_type="issue_acknowledgement",
        audience="reporter_id",
        channels=("email", "inapp"),
        category="issue_updates",
    ),
    Rule(
        event_type="hub.issues.issue.reported.v1",
        message_type="issue_staff_alert",
        audience=HUB_STAFF,
        channels=("email", "inapp"),
        category="staff_alerts",
    ),
)

DEFAULT_TEMPLATES: tuple[Template, ...] = (
    Template(
        message_type="issue_acknowledgement",
        channel="email",
        language="en",
        subject="We have your report: {service_name}",
        body=(
            "Hello {display_name},\n\n"
            "Thank you for telling us about a problem ({service_name}). Your reference is {issue_id}.\n\n"
            "We will look at it and tell you what we do about it.\n\n"
            "Your community hub"
        ),
    ),
    Template(
        message_type="issue_staff_alert",
        channel="email",
        language="en",
        subject="New report: {service_name}",
        body=(
            "Hello {display_name},\n\n"
            "A new problem was reported in your hub: {service_name}.\n"
            "Where: {address}\n"
            "What: {description}\n"
            "Reference: {issue_id}\n"
        ),
    ),
    Template(
        message_type="issue_staff_alert",
        channel="inapp",
        language="en",
        subject="New report: {service_name}",
        body="{service_name}: {description} (reference {issue_id})",
    ),
    Template(
        message_type="issue_acknowledgement",
        channel="inapp",
        language="en",
        subject="We have your report",
        body="Thank you for reporting a problem ({service_name}). Your reference is {issue_id}.",
    ),
)


def rules_for(event_type: str) -> list[Rule]:
    return [rule for rule in RULES if rule.event_type == event_type]


def message_types() -> set[str]:
    return {rule.message_type for rule in RULES}
