"""Rules from events to messages: who hears about an event, on which channels, with which template.

The table is data: each rule names the event type, the field holding the recipient's opaque id
(or a list of ids, or ``HUB_STAFF``: the staff who asked for their hub's alerts), the channels, the
preference category people can opt out of, and whether it is critical (bypasses preferences).
A reminder rule sends ahead of a time in the event (e.g. 24 hours before a shift) and is called
off by the events in ``CANCELS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hub_notifications.domain.templates import Template
from hub_notifications.domain.welsh import WELSH_TEMPLATES

RECIPIENT_FIELDS = frozenset({"display_name"})
HUB_STAFF = "@hub_staff"  # audience: the staff who asked for alerts about the event's hub
HUB_COUNCILLORS = "@hub_councillors"  # audience: the ward councillors who asked for alerts about the event's hub
FOLLOWERS = "@issue_followers"  # audience: the issue's reporter and everyone who supported it
IDEA_FOLLOWERS = "@idea_followers"  # audience: the idea's proposer and everyone who asked to follow it
# audience: the residents who submitted a proposal to a participatory budgeting round (participation
# keeps no list of a hub's residents, and a voter is never named in an event: the proposers are who
# the round is known to matter to)
PB_FOLLOWERS = "@pb_round_followers"
# audience: the residents on the hub's citizens' panel (who joined it in the participation service),
# asked only when the event says the panel is invited
PANEL = "@hub_panel"
# The event field naming what a followers audience follows (all kinds are kept in one follower book).
FOLLOWED: dict[str, str] = {FOLLOWERS: "issue_id", IDEA_FOLLOWERS: "idea_id", PB_FOLLOWERS: "round_id", PANEL: "hub_id"}


def panel_key(hub_id: str) -> str:
    """A hub's citizens' panel in the follower book (beside the issues, ideas and rounds followed)."""
    return f"panel:{hub_id}"


def followed_key(audience: str, data: dict) -> str | None:
    """What a followers audience follows for this event (None: nobody to ask this time)."""
    if audience == PANEL:
        return panel_key(data["hub_id"]) if data.get("panel_invited") else None
    return data[FOLLOWED[audience]]


TEXT_SUFFIX = "_text"  # every date/time field also comes as plain words, e.g. {starts_at_text}
WORDED_FIELDS = frozenset({"status", "outcome"})  # states that also come in words, e.g. {outcome_text}


@dataclass(frozen=True)
class Reminder:
    field: str  # the event's date-time to remind ahead of
    before: timedelta
    key_field: str  # identifies what the reminder is about, so a cancellation can call it off


@dataclass(frozen=True)
class Rule:
    event_type: str
    message_type: str
    audience: str  # the event field holding the recipient id(s), or HUB_STAFF
    channels: tuple[str, ...]
    category: str  # what people opt out of, e.g. "issue_updates"
    critical: bool = False  # safeguarding and cancellations bypass preferences
    reminder: Reminder | None = None
    # A page in the web app the message links to ({link}), e.g. "/issues/{issue_id}/feedback". With
    # sign_in the link carries a short-lived token for the recipient, so they can answer without
    # an account (the token is the recipient's own sign-in, valid until ``sign_in_until`` in the event,
    # or for ``sign_in_for``).
    link: str | None = None
    sign_in_until: str | None = None
    sign_in_for: timedelta | None = None  # or a fixed period, where the event has no end date
    sign_in_as: str | None = None  # the event field naming the account to sign in as (default: the recipient)
    only_if: str | None = None  # an event field that must be non-empty for the rule to apply (e.g. "actions")


ISSUE = "hub.issues.issue."
VOL = "hub.volunteers."
ASSET = "hub.assets."
IDEA = "hub.participation."
PERSON = ("email", "inapp")
URGENT = ("email", "sms", "inapp")
SHIFT_REMINDER = Reminder("starts_at", timedelta(hours=24), "signup_id")
LOAN_REMINDER = Reminder("due_at", timedelta(hours=24), "loan_id")
FORUM_REMINDER = Reminder("starts_at", timedelta(hours=24), "registration_id")
FORUM = IDEA  # forum meetings are the participation service's too
PB = IDEA + "pb_round."  # and participatory budgeting

RULES: tuple[Rule, ...] = (
    # issues
    # The link lets a reporter without an account follow the report, answer questions about it and
    # ask to be forgotten, signed in as themselves for a month.
    Rule(
        "hub.issues.issue.reported.v1",
        "issue_acknowledgement",
        "reporter_id",
        PERSON,
        "issue_updates",
        link="/issues/{issue_id}",
        sign_in_for=timedelta(days=30),
    ),
    Rule("hub.issues.issue.reported.v1", "issue_staff_alert", HUB_STAFF, PERSON, "staff_alerts"),
    *(
        Rule(ISSUE + f"{change}.v1", "issue_status_changed", FOLLOWERS, PERSON, "issue_updates")
        for change in ("acknowledged", "work_started", "referred", "closed", "reopened")
    ),
    Rule(ISSUE + "fixed.v1", "issue_fixed", FOLLOWERS, PERSON, "issue_updates"),
    Rule(ISSUE + "duplicate_merged.v1", "issue_merged", FOLLOWERS, PERSON, "issue_updates"),
    Rule(ISSUE + "update_published.v1", "issue_update", FOLLOWERS, PERSON, "issue_updates"),
    Rule(
        ISSUE + "feedback_requested.v1",
        "issue_feedback_requested",
        "reporter_id",
        PERSON,
        "issue_updates",
        link="/issues/{issue_id}/feedback",
        sign_in_until="respond_by",
    ),
    Rule(ISSUE + "overdue.v1", "issue_overdue_staff_alert", HUB_STAFF, ("inapp",), "staff_alerts"),
    # privacy: the person confirms a request made with their email, and gets the link to their copy
    Rule(
        "hub.notifications.privacy_confirmation.requested.v1",
        "privacy_confirmation",
        "person_id",
        ("email",),
        "privacy",
        critical=True,
        link="/privacy/confirm/{confirmation_id}",
        sign_in_until="expires_at",
        sign_in_as="confirmation_sub",
    ),
    Rule(
        "hub.notifications.privacy_request.completed.v1",
        "privacy_export_ready",
        "person_id",
        ("email",),
        "privacy",
        critical=True,
        link="/privacy/exports/{request_id}",
        sign_in_until="export_expires_at",
        sign_in_as="export_sub",
    ),
    # The retention schedule's notice to a volunteer whose record has not been used for a long time:
    # sent whatever their preferences (it is about their data), by email and to their inbox.
    Rule(
        VOL + "volunteer.erasure_scheduled.v1",
        "volunteer_erasure_notice",
        "volunteer_id",
        PERSON,
        "volunteering",
        critical=True,
    ),
    # volunteers
    # A returning volunteer asked for it: a link that signs them in to their account for an hour.
    Rule(
        VOL + "sign_in_link.requested.v1",
        "volunteer_sign_in_link",
        "person_id",
        ("email",),
        "volunteering",
        critical=True,
        link="/volunteer/me",
        sign_in_for=timedelta(hours=1),
        sign_in_as="account_sub",
    ),
    # residents: a link that proves their email address, signing them in as the resident it stands
    # for (one ballot, one survey answer, on any device) and opening the page they asked from.
    Rule(
        IDEA + "sign_in_link.requested.v1",
        "resident_sign_in_link",
        "person_id",
        ("email",),
        "participation",
        critical=True,
        link="/sign-in/email/done?next={return_to}",
        sign_in_for=timedelta(hours=1),
    ),
    Rule(VOL + "volunteer.approved.v1", "volunteer_approved", "volunteer_id", PERSON, "volunteering"),
    Rule(VOL + "signup.confirmed.v1", "signup_confirmed", "volunteer_id", PERSON, "shifts"),
    Rule(VOL + "signup.confirmed.v1", "shift_reminder", "volunteer_id", URGENT, "shifts", reminder=SHIFT_REMINDER),
    Rule(VOL + "signup.waitlisted.v1", "signup_waitlisted", "volunteer_id", PERSON, "shifts"),
    Rule(VOL + "signup.promoted.v1", "signup_promoted", "volunteer_id", URGENT, "shifts"),
    Rule(VOL + "signup.promoted.v1", "shift_reminder", "volunteer_id", URGENT, "shifts", reminder=SHIFT_REMINDER),
    Rule(VOL + "signup.cancelled.v1", "signup_cancelled", "volunteer_id", PERSON, "shifts"),
    Rule(VOL + "shift.cancelled.v1", "shift_cancelled", "volunteer_ids", URGENT, "shifts", critical=True),
    Rule(VOL + "milestone.reached.v1", "milestone_reached", "volunteer_id", PERSON, "recognition"),
    Rule(VOL + "milestone.reached.v1", "milestone_staff_alert", HUB_STAFF, ("inapp",), "staff_alerts"),
    Rule(VOL + "award.given.v1", "award_given", "volunteer_id", PERSON, "recognition"),
    Rule(VOL + "award.given.v1", "award_staff_alert", HUB_STAFF, ("inapp",), "staff_alerts"),
    Rule(VOL + "accreditation.expiring.v1", "accreditation_expiring", "volunteer_id", PERSON, "training"),
    Rule(VOL + "accreditation.expiring.v1", "accreditation_staff_alert", HUB_STAFF, ("inapp",), "staff_alerts"),
    # assets
    Rule(ASSET + "booking.requested.v1", "booking_staff_alert", HUB_STAFF, PERSON, "staff_alerts"),
    Rule(ASSET + "booking.confirmed.v1", "booking_confirmed", "booker_id", PERSON, "bookings"),
    Rule(ASSET + "booking.declined.v1", "booking_declined", "booker_id", PERSON, "bookings"),
    Rule(ASSET + "booking.cancelled.v1", "booking_cancelled", "booker_id", URGENT, "bookings", critical=True),
    Rule(ASSET + "loan.requested.v1", "loan_staff_alert", HUB_STAFF, PERSON, "staff_alerts"),
    Rule(ASSET + "loan.reserved.v1", "loan_reserved", "borrower_id", PERSON, "loans"),
    Rule(ASSET + "loan.declined.v1", "loan_declined", "borrower_id", PERSON, "loans"),
    Rule(ASSET + "loan.checked_out.v1", "loan_checked_out", "borrower_id", PERSON, "loans"),
    Rule(ASSET + "loan.checked_out.v1", "loan_due_reminder", "borrower_id", PERSON, "loans", reminder=LOAN_REMINDER),
    Rule(ASSET + "loan.overdue.v1", "loan_overdue", "borrower_id", URGENT, "loans"),
    *(
        rule
        for stage in ("nominated", "listed", "not_listed", "moratorium_started", "moratorium_ended", "expired")
        for rule in (
            Rule(ASSET + f"acv.{stage}.v1", "acv_staff_alert", HUB_STAFF, PERSON, "staff_alerts"),
            # The nominating group hears too, where the assets service published its contact details.
            Rule(ASSET + f"acv.{stage}.v1", "acv_group_update", "nominated_by", PERSON, "acv"),
        )
    ),
    # participation: the proposer hears their idea reached its threshold, the hub's staff that it awaits
    # their answer; everyone following the idea (its proposer first) hears the answer and the progress.
    Rule(IDEA + "idea.threshold_reached.v1", "idea_threshold_reached", "proposer_id", PERSON, "idea_updates"),
    Rule(IDEA + "idea.threshold_reached.v1", "idea_staff_alert", HUB_STAFF, PERSON, "staff_alerts"),
    Rule(IDEA + "idea.responded.v1", "idea_responded", IDEA_FOLLOWERS, PERSON, "idea_updates"),
    Rule(IDEA + "action.progress_published.v1", "idea_progress", IDEA_FOLLOWERS, PERSON, "idea_updates"),
    # A ward councillor's public comment reaches the idea's followers as its other updates do.
    Rule(IDEA + "idea.councillor_commented.v1", "idea_councillor_comment", IDEA_FOLLOWERS, PERSON, "idea_updates"),
    # forum meetings: a registrant gets their invitation (or their place on the waitlist, then the
    # place when one is freed) and a reminder the day before; everyone registered hears the meeting
    # called off, and those who had a place that the minutes are published.
    Rule(FORUM + "registration.confirmed.v1", "forum_invitation", "person_id", PERSON, "forums"),
    Rule(FORUM + "registration.confirmed.v1", "forum_reminder", "person_id", PERSON, "forums", reminder=FORUM_REMINDER),
    Rule(FORUM + "registration.waitlisted.v1", "forum_waitlisted", "person_id", PERSON, "forums"),
    Rule(FORUM + "registration.promoted.v1", "forum_place_freed", "person_id", PERSON, "forums"),
    Rule(FORUM + "registration.promoted.v1", "forum_reminder", "person_id", PERSON, "forums", reminder=FORUM_REMINDER),
    Rule(FORUM + "meeting.cancelled.v1", "forum_cancelled", "registrant_ids", URGENT, "forums", critical=True),
    Rule(FORUM + "meeting.minutes_published.v1", "forum_minutes", "registrant_ids", PERSON, "forums"),
    # ward councillors who asked for their hub's alerts hear of every new idea, and of minutes that
    # agreed actions (the forum's promises to residents, which they follow to done).
    Rule(
        IDEA + "idea.proposed.v1",
        "idea_councillor_alert",
        HUB_COUNCILLORS,
        PERSON,
        "councillor_alerts",
        link="/ideas/{idea_id}",
    ),
    Rule(
        FORUM + "meeting.minutes_published.v1",
        "forum_actions_councillor_alert",
        HUB_COUNCILLORS,
        PERSON,
        "councillor_alerts",
        link="/meetings/{meeting_id}",
        only_if="actions",
    ),
    # participatory budgeting: those who proposed a project to a round hear that voting has opened
    # (their project on the ballot or not) and what the results are.
    Rule(PB + "voting_opened.v1", "pb_voting_opened", PB_FOLLOWERS, PERSON, "budgeting"),
    Rule(PB + "results_published.v1", "pb_results", PB_FOLLOWERS, PERSON, "budgeting"),
    # surveys: a hub's citizens' panel is asked to take a survey its staff opened for it.
    Rule(IDEA + "survey.opened.v1", "survey_invitation", PANEL, PERSON, "surveys", link="/surveys/{survey_id}"),
)

# Events that call off pending reminders: event type -> (event field, reminder key field).
CANCELS: dict[str, tuple[str, str]] = {
    VOL + "signup.cancelled.v1": ("signup_id", "signup_id"),
    VOL + "shift.cancelled.v1": ("shift_id", "shift_id"),
    ASSET + "loan.returned.v1": ("loan_id", "loan_id"),
    ASSET + "loan.cancelled.v1": ("loan_id", "loan_id"),
    FORUM + "registration.cancelled.v1": ("registration_id", "registration_id"),
    FORUM + "meeting.cancelled.v1": ("meeting_id", "meeting_id"),
}


def _both(message_type: str, subject: str, email_body: str, inapp_body: str, sms_body: str | None = None):
    templates = [
        Template(
            message_type, "email", "en", subject, "Hello {display_name},\n\n" + email_body + "\n\nYour community hub"
        ),
        Template(message_type, "inapp", "en", subject, inapp_body),
    ]
    if sms_body:
        templates.append(Template(message_type, "sms", "en", subject, sms_body))
    return templates


DEFAULT_TEMPLATES: tuple[Template, ...] = (
    *_both(
        "issue_acknowledgement",
        "We have your report: {service_name}",
        "Thank you for telling us about a problem ({service_name}). Your reference is {issue_id}.\n\n"
        "We will look at it and tell you what we do about it. You can follow it, and ask us to forget your "
        "details, here:\n\n{link}",
        "Thank you for reporting a problem ({service_name}). Your reference is {issue_id}.",
    ),
    *_both(
        "issue_staff_alert",
        "New report: {service_name}",
        "A new problem was reported in your hub: {service_name}.\nWhere: {address}\nWhat: {description}\n"
        "Reference: {issue_id}",
        "{service_name}: {description} (reference {issue_id})",
    ),
    *_both(
        "issue_status_changed",
        "Update on your report: {service_name}",
        "There is news about the problem you reported or supported ({service_name}, reference {issue_id}): "
        "it is now {status_text}.\n\n{public_note}",
        "{service_name} ({issue_id}) is now {status_text}. {public_note}",
    ),
    *_both(
        "issue_fixed",
        "Fixed: {service_name}",
        "The problem you reported or supported ({service_name}, reference {issue_id}) has been fixed.\n\n"
        "{public_note}\n\nIf it is not fixed, you can reopen it.",
        "Fixed: {service_name} ({issue_id}). {public_note}",
    ),
    *_both(
        "issue_merged",
        "Your report is being handled with another one",
        "The problem you reported or supported ({service_name}, reference {issue_id}) was also reported by "
        "others. We are handling them together as {duplicate_of}, and you will hear about that one.",
        "Your report {issue_id} is now handled together with {duplicate_of}.",
    ),
    *_both(
        "issue_update",
        "News about {issue_id}",
        "There is news about a problem you reported or supported (reference {issue_id}):\n\n{public_note}",
        "News about {issue_id}: {public_note}",
    ),
    *_both(
        "issue_feedback_requested",
        "Was it fixed? Tell us how we did",
        "We fixed the problem you reported ({service_name}, reference {issue_id}). Is it really fixed, and how "
        "satisfied are you? Please answer by {respond_by_text}:\n\n{link}",
        "Is {service_name} ({issue_id}) really fixed? Please tell us by {respond_by_text}.",
    ),
    *_both(
        "issue_overdue_staff_alert",
        "Overdue: {service_name} ({issue_id})",
        "{service_name} ({issue_id}) is past its target date ({expected_at_text}).",
        "{service_name} ({issue_id}) is past its target date ({expected_at_text}).",
    ),
    *_both(
        "privacy_confirmation",
        "Confirm your request about your personal data",
        "We received a request, made with this email address, about the personal data your community hub "
        "holds about you ({kind}: 'erasure' deletes it, 'access' sends you a copy). If it was you, confirm "
        "it with this link, which works once, within a day:\n\n{link}\n\nIf it was not you, ignore this "
        "email: nothing will happen.",
        "Confirm your request about your personal data with the link we emailed you.",
    ),
    *_both(
        "privacy_export_ready",
        "The copy of your data is ready",
        "The copy of the personal data we hold about you is ready. Download it with this link until "
        "{export_expires_at_text}:\n\n{link}",
        "The copy of your data is ready: we have emailed you a link to it.",
    ),
    *_both(
        "volunteer_erasure_notice",
        "We will delete your volunteering record",
        "You have not volunteered with us for a long time, so we will delete the personal details in your "
        "volunteering record after {erase_after_text}. Your hours stay in the hub's totals without your name.\n\n"
        "If you would like to stay on our books, sign in or contact your hub before then.",
        "We will delete your volunteering record after {erase_after_text} unless you sign in or contact your hub.",
    ),
    *_both(
        "volunteer_sign_in_link",
        "Your link to sign in",
        "Here is the link you asked for. It signs you in to see your shifts, hours and preferences, and "
        "it works for one hour:\n\n{link}\n\nIf you did not ask for it, you can ignore this email.",
        "You asked for a link to sign in. We have emailed it to you.",
    ),
    *_both(
        "resident_sign_in_link",
        "Your link to sign in",
        "Here is the link you asked for. It signs you in with this email address, so you can vote or answer "
        "once, from any device, and it works for one hour:\n\n{link}\n\nIf you did not ask for it, you can "
        "ignore this email.",
        "You asked for a link to sign in. We have emailed it to you.",
    ),
    *_both(
        "volunteer_approved",
        "You are approved to volunteer",
        "Good news: your application to volunteer has been approved. You can now sign up to shifts.",
        "Your application to volunteer has been approved. You can now sign up to shifts.",
    ),
    *_both(
        "signup_confirmed",
        "Your place is confirmed",
        "Your place on the shift starting {starts_at_text} is confirmed. Thank you!",
        "Your place on the shift starting {starts_at_text} is confirmed.",
    ),
    *_both(
        "shift_reminder",
        "Reminder: your shift is tomorrow",
        "A reminder that your shift starts {starts_at_text}. If you cannot come, please cancel your place "
        "so someone else can take it.",
        "Reminder: your shift starts {starts_at_text}.",
        "Reminder: your shift starts {starts_at_text}. Cancel in the app if you cannot come.",
    ),
    *_both(
        "signup_waitlisted",
        "You are on the waiting list",
        "The shift starting {starts_at_text} is full, so you are on its waiting list. We will tell you at once "
        "if a place comes up.",
        "You are on the waiting list for the shift starting {starts_at_text}.",
    ),
    *_both(
        "signup_promoted",
        "A place came up: you are on the shift",
        "A place came up on the shift starting {starts_at_text} and it is yours. If you cannot come any more, "
        "please cancel your place.",
        "A place came up: you are now on the shift starting {starts_at_text}.",
        "A place came up: you are on the shift starting {starts_at_text}.",
    ),
    *_both(
        "signup_cancelled",
        "Your place is cancelled",
        "Your place on the shift starting {starts_at_text} has been cancelled.",
        "Your place on the shift starting {starts_at_text} has been cancelled.",
    ),
    *_both(
        "shift_cancelled",
        "A shift you signed up for is cancelled",
        "We are sorry: a shift you signed up for has been cancelled. {reason}",
        "A shift you signed up for has been cancelled. {reason}",
        "Sorry, a shift you signed up for is cancelled. {reason}",
    ),
    *_both(
        "milestone_reached",
        "Thank you for {milestone_hours} hours of volunteering",
        "You have now given {milestone_hours} hours of your time to your community. Thank you - it makes a "
        "real difference.",
        "You reached {milestone_hours} hours of volunteering. Thank you!",
    ),
    *_both(
        "milestone_staff_alert",
        "A volunteer reached {milestone_hours} hours",
        "A volunteer in your hub reached {milestone_hours} hours ({total_hours} in all).",
        "A volunteer reached {milestone_hours} hours ({total_hours} in all).",
    ),
    *_both(
        "award_given",
        "You have an award: {title}",
        "You have been given an award: {title}.\n\n{citation}",
        "You have been given an award: {title}. {citation}",
    ),
    *_both(
        "accreditation_expiring",
        "{name} expires soon",
        "Your {name} expires on {expires_on_text}. Please renew it so you can keep taking the roles that need it.",
        "Your {name} expires on {expires_on_text}.",
    ),
    *_both(
        "accreditation_staff_alert",
        "A volunteer's {name} expires soon",
        "A volunteer's {name} expires on {expires_on_text}.",
        "A volunteer's {name} expires on {expires_on_text}.",
    ),
    *_both(
        "award_staff_alert",
        "A volunteer was given an award: {title}",
        "A volunteer in your hub was given an award: {title}.",
        "A volunteer was given an award: {title}.",
    ),
    *_both(
        "booking_staff_alert",
        "A booking needs a decision",
        "A room booking from {starts_at_text} to {ends_at_text} is waiting for a decision.",
        "A room booking from {starts_at_text} is waiting for a decision.",
    ),
    *_both(
        "booking_confirmed",
        "Your booking is confirmed",
        "Your room booking from {starts_at_text} to {ends_at_text} is confirmed.",
        "Your booking from {starts_at_text} to {ends_at_text} is confirmed.",
    ),
    *_both(
        "booking_declined",
        "Your booking could not be accepted",
        "We are sorry: your room booking from {starts_at_text} could not be accepted. {reason}",
        "Your booking from {starts_at_text} could not be accepted. {reason}",
    ),
    *_both(
        "booking_cancelled",
        "Your booking is cancelled",
        "Your room booking from {starts_at_text} to {ends_at_text} has been cancelled. {reason}",
        "Your booking from {starts_at_text} has been cancelled. {reason}",
        "Your room booking from {starts_at_text} is cancelled. {reason}",
    ),
    *_both(
        "loan_staff_alert",
        "An equipment request needs a decision",
        "A resident asked to borrow equipment from {starts_at_text} to {due_at_text}. Approve or decline it "
        "in the staff console.",
        "A request to borrow equipment from {starts_at_text} is waiting for a decision.",
    ),
    *_both(
        "loan_reserved",
        "Your loan is reserved",
        "What you asked to borrow is reserved for you from {starts_at_text}. Please bring it back by {due_at_text}.",
        "Reserved for you from {starts_at_text}, due back by {due_at_text}.",
    ),
    *_both(
        "loan_declined",
        "Your request to borrow could not be accepted",
        "We are sorry: your request to borrow from {starts_at_text} could not be accepted. {reason}",
        "Your request to borrow from {starts_at_text} could not be accepted. {reason}",
    ),
    *_both(
        "loan_checked_out",
        "Your loan: please return it by {due_at_text}",
        "Thank you for borrowing from your community hub. Please bring it back by {due_at_text}.",
        "Please return what you borrowed by {due_at_text}.",
    ),
    *_both(
        "loan_due_reminder",
        "Reminder: your loan is due back",
        "A reminder that what you borrowed is due back by {due_at_text}.",
        "What you borrowed is due back by {due_at_text}.",
    ),
    *_both(
        "loan_overdue",
        "Your loan is overdue",
        "What you borrowed was due back on {due_at_text}. Please return it as soon as you can so others can "
        "use it too.",
        "What you borrowed was due back on {due_at_text}. Please return it.",
        "What you borrowed was due back {due_at_text}. Please return it soon.",
    ),
    *_both(
        "acv_group_update",
        "Your Asset of Community Value nomination: {status_text}",
        "The Asset of Community Value your group nominated on {nominated_on_text} is now {status_text}.",
        "Your nomination is now {status_text}.",
    ),
    *_both(
        "acv_staff_alert",
        "Asset of Community Value: {status_text}",
        "An Asset of Community Value in your hub is now {status_text} (nominated {nominated_on_text}). Check "
        "the dates that follow from this stage in the assets service.",
        "An Asset of Community Value is now {status_text}.",
    ),
    *_both(
        "idea_threshold_reached",
        "Your idea has the support it needed: {title}",
        'Your idea "{title}" now has {support_count} supporters, enough for the hub to give it an answer. '
        "We will tell you what the hub decides.",
        'Your idea "{title}" has {support_count} supporters: the hub will answer it.',
    ),
    *_both(
        "idea_staff_alert",
        "An idea is waiting for your answer: {title}",
        'The idea "{title}" reached its threshold of {support_threshold} supporters in your hub. '
        "Residents are waiting for your answer: accepted, or not taken forward with the reason.\n"
        "Reference: {idea_id}",
        '"{title}" has {support_count} supporters and waits for an answer ({idea_id}).',
    ),
    *_both(
        "idea_responded",
        "The hub has answered the idea: {title}",
        'The hub has answered the idea "{title}" that you proposed or follow: it is {outcome_text}.\n\n{response}',
        '"{title}" is {outcome_text}. {response}',
    ),
    *_both(
        "forum_invitation",
        "You are registered: {title}",
        "You have a place at {title}, {starts_at_text} to {ends_at_text}.\n\nWhere: {place} {online_url}\n\n"
        "We will remind you the day before. If you cannot come, please cancel your place so someone on the "
        "waitlist can have it.",
        "You have a place at {title}, {starts_at_text}.",
    ),
    *_both(
        "forum_reminder",
        "Reminder: {title} is coming up",
        "A reminder that {title} starts {starts_at_text}.\n\nWhere: {place} {online_url}\n\n"
        "If you cannot come, please cancel your place so someone else can have it.",
        "Reminder: {title} starts {starts_at_text}.",
    ),
    *_both(
        "forum_waitlisted",
        "You are on the waitlist: {title}",
        "{title} ({starts_at_text}) is full, so you are number {position} on its waitlist. If a place is "
        "freed we will give it to you and tell you.",
        "You are number {position} on the waitlist for {title}.",
    ),
    *_both(
        "forum_place_freed",
        "A place is yours: {title}",
        "Good news: a place was freed at {title}, {starts_at_text} to {ends_at_text}, and it is yours.\n\n"
        "Where: {place} {online_url}",
        "A place at {title} ({starts_at_text}) is now yours.",
    ),
    *_both(
        "forum_cancelled",
        "Called off: {title}",
        "We are sorry: {title}, planned for {starts_at_text}, has been called off. {reason}",
        "{title} ({starts_at_text}) has been called off. {reason}",
        "{title} on {starts_at_text} is called off. {reason}",
    ),
    *_both(
        "forum_minutes",
        "The minutes of {title}",
        "The minutes of {title} ({starts_at_text}) are published:\n\n{minutes}",
        "The minutes of {title} are published.",
    ),
    *_both(
        "pb_voting_opened",
        "Voting is open: {title}",
        "Voting has opened in {title}, the participatory budgeting round you sent a proposal to. "
        "{projects} projects are on the ballot, and every resident may vote once until {closes_at_text} "
        "(you can change your vote until then).",
        "Voting is open in {title} until {closes_at_text}: {projects} projects on the ballot.",
    ),
    *_both(
        "pb_results",
        "The results of {title}",
        "Voting has closed in {title}, the participatory budgeting round you sent a proposal to, and the "
        "results are out: {ballots} residents voted. See which projects will be funded on the hub's page.",
        "The results of {title} are out: {ballots} residents voted.",
    ),
    *_both(
        "idea_councillor_comment",
        "A councillor has commented on {title}",
        'Councillor {councillor_name} has commented on the idea "{title}" that you proposed or follow:\n\n'
        "{comment}\n\nThe hub will still give the idea its answer.",
        'Councillor {councillor_name} on "{title}": {comment}',
    ),
    *_both(
        "idea_councillor_alert",
        "A new idea in your ward: {title}",
        'Residents of your ward have a new idea: "{title}". It needs {support_threshold} supporters for '
        "the hub to answer it. You can read it, and comment on it as their councillor, here:\n\n{link}",
        'New idea in your ward: "{title}".',
    ),
    *_both(
        "forum_actions_councillor_alert",
        "Actions agreed at {title}",
        "The minutes of {title} ({starts_at_text}) are published, with actions the hub agreed with residents. "
        "You can read them, and follow each action to done, here:\n\n{link}",
        "The minutes of {title} are published, with actions agreed.",
    ),
    *_both(
        "survey_invitation",
        "Have your say: {title}",
        "You are on your community hub's citizens' panel, so we are asking you to take a new survey, "
        '"{title}". It takes a few minutes, here:\n\n{link}\n\n'
        "You can leave the panel at any time on the hub's Have your say page.",
        'A new survey for the citizens\' panel: "{title}".',
    ),
    *_both(
        "idea_progress",
        "Progress on {title}",
        'There is news about the idea "{title}" that you proposed or follow:\n\n{note}',
        'News about "{title}": {note}',
    ),
    *WELSH_TEMPLATES,  # the resident messages in Welsh, for residents who reported in Welsh
)


def rules_for(event_type: str) -> list[Rule]:
    return [rule for rule in RULES if rule.event_type == event_type]
