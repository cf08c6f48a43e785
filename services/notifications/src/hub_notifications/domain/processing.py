"""The notifications service's record of processing (rendered by ``hub privacy ropa``): the contact
book, preferences, follows, staff alerts, messages and privacy requests."""

from __future__ import annotations

from hub_common.ropa import Declaration, Processing
from hub_notifications.domain.contacts import Contact
from hub_notifications.domain.followers import IssueFollowers
from hub_notifications.domain.hubs import AlertedStaff
from hub_notifications.domain.messages import Message
from hub_notifications.domain.preferences import Preferences
from hub_notifications.domain.privacy import Confirmation, PrivacyRequest

DECLARATION = Declaration(
    service="notifications",
    processing=(
        Processing(
            "contact book",
            Contact,
            ("id", "display_name", "email", "phone", "language", "hub_ids", "consented_channels"),
            purpose="sending people the messages they asked for or need (acknowledgements, reminders)",
            lawful_basis="consent per channel, and public task for service messages",
            retention="until the person is erased in the service that told us, or asks us",
            recipients="the email and SMS providers, to deliver each message",
        ),
        Processing(
            "messages",
            Message,
            ("person_id", "values", "subject", "body", "history"),
            purpose="delivering a message and showing it was sent",
            lawful_basis="as the contact book",
            retention="content 7 days (email, SMS) or 90 days (in-app), then only the record that it was sent",
        ),
        Processing(
            "notification preferences",
            Preferences,
            ("id", "opt_outs", "quiet_hours", "digest", "timezone"),
            purpose="sending only what people want, when they want it",
            lawful_basis="consent",
            retention="until erasure",
        ),
        Processing(
            "issues followed",
            IssueFollowers,
            ("followers",),
            purpose="telling followers when a report they follow changes",
            lawful_basis="consent (they follow it)",
            retention="until erasure",
        ),
        Processing(
            "staff alert subscriptions",
            AlertedStaff,
            ("person_id", "hub_id", "since"),
            purpose="alerting hub staff about new reports and failures",
            lawful_basis="legitimate interests (their job)",
            retention="until they stop, or are erased",
        ),
        Processing(
            "privacy requests",
            PrivacyRequest,
            ("email", "phone", "handled_by", "reference", "reason", "notify_person_id"),
            purpose="answering a person's erasure or subject access request",
            lawful_basis="legal obligation (UK GDPR Articles 15 and 17)",
            retention="the email and phone until the request completes; the request's record is kept",
        ),
        Processing(
            "privacy requests waiting for the person's confirmation",
            Confirmation,
            ("email", "person_id"),
            purpose="checking that a request made with an email address comes from its owner",
            lawful_basis="legal obligation (UK GDPR Articles 12, 15 and 17)",
            retention="a day; the address goes once the link is used",
        ),
    ),
)
