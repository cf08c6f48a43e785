"""The volunteers service's record of processing: the personal data it holds, why and for how long
(rendered by ``hub privacy ropa``; a test fails when a model gains an undeclared personal field)."""

from __future__ import annotations

from hub_common.ropa import Declaration, Processing
from hub_volunteers.domain.hours import HoursEntry
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.shifts import Shift, Signup
from hub_volunteers.domain.skills import Award, Skill
from hub_volunteers.domain.venues import Venue
from hub_volunteers.domain.volunteers import Accreditation, Consent, EmergencyContact, Guardian, Volunteer

WHILE_VOLUNTEERING = "while they volunteer; erased a year after the record is archived, or when they ask"

DECLARATION = Declaration(
    service="volunteers",
    processing=(
        Processing(
            "volunteer record",
            Volunteer,
            (
                "sub",
                "name",
                "email",
                "phone",
                "date_of_birth",
                "language",
                "interests",
                "availability",
                "emergency_contact",
                "guardian",
                "checks",
                "accreditations",
                "consents",
                "partner_ref",
            ),
            purpose="placing volunteers in roles and shifts, contacting them, safeguarding (age, checks)",
            lawful_basis="consent (recorded with its wording) and legitimate interests for safeguarding",
            retention=WHILE_VOLUNTEERING,
            recipients="notifications (contact details on hub.contacts, to send their messages)",
        ),
        Processing(
            "emergency contact",
            EmergencyContact,
            ("name", "phone", "relationship"),
            purpose="reaching someone if the volunteer is hurt on a shift",
            lawful_basis="vital interests and legitimate interests",
            retention=WHILE_VOLUNTEERING,
        ),
        Processing(
            "parent or guardian (under-18s)",
            Guardian,
            ("name", "phone", "email", "relationship"),
            purpose="consent for an under-18 to volunteer",
            lawful_basis="consent of the parent or guardian",
            retention=WHILE_VOLUNTEERING,
        ),
        Processing(
            "consents",
            Consent,
            ("purpose", "granted", "at", "wording_version"),
            purpose="showing what the volunteer agreed to, and when",
            lawful_basis="legal obligation (accountability)",
            retention=WHILE_VOLUNTEERING,
        ),
        Processing(
            "hours logged",
            HoursEntry,
            ("volunteer_id", "note"),
            purpose="recognising volunteers' time; reporting hours to funders as totals",
            lawful_basis="legitimate interests",
            retention="with the volunteer record; the note goes at erasure, the minutes stay anonymous",
        ),
        Processing(
            "shift sign-ups",
            Signup,
            ("volunteer_id", "signed_up_by", "checked_in_at", "checked_out_at"),
            purpose="rostering shifts, check-in for safety",
            lawful_basis="legitimate interests",
            retention="with the volunteer record",
        ),
        Processing(
            "awards",
            Award,
            ("volunteer_id", "citation"),
            purpose="recognition (a public thank-you wall only for those who opt in)",
            lawful_basis="consent for the wall; legitimate interests otherwise",
            retention="with the volunteer record; hidden from the wall at erasure",
        ),
    ),
    not_personal={
        (Role, "purpose"): "what a volunteering role is for",
        (Role, "support_contact"): "the hub's contact point for a role, a work address",
        (Shift, "address"): "where a shift takes place",
        (Shift, "notes"): "staff notes about a shift, not about a person",
        (Skill, "name"): "a skill's name",
        (Venue, "name"): "a room's name (read model of assets)",
        (Venue, "address"): "a building's address",
        (Accreditation, "name"): "the name of a qualification",
    },
)
