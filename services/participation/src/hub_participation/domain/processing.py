"""The participation service's record of processing (rendered by ``hub privacy ropa``). Participation
keeps no contact details (a proposer's go to notifications on ``hub.contacts``): the opaque ids that
stand for people, the name a proposer chose to be shown by, and what they wrote."""

from __future__ import annotations

from hub_common.ropa import Declaration, Processing
from hub_participation.domain.idea import Flag, Idea, Progress, Wording
from hub_participation.domain.survey import SurveyAnswer

DECLARATION = Declaration(
    service="participation",
    processing=(
        Processing(
            "ideas proposed",
            Idea,
            ("proposer_id", "display_name"),
            purpose="residents setting the local agenda; telling the proposer what happens to their idea",
            lawful_basis="consent (they propose it, and choose the name shown)",
            retention="until the person asks to be forgotten (the idea stays, anonymous)",
            recipients="the public (the chosen name), notifications (the id, to send updates)",
        ),
        Processing(
            "what an idea says",
            Wording,
            ("title", "description", "category"),
            purpose="the idea itself, and its public edit history",
            lawful_basis="public task",
            retention="kept as the public record",
            recipients="the public",
        ),
        Processing(
            "support and follows",
            Idea,
            ("supporters", "followers"),
            purpose="one support per person; telling followers about the idea",
            lawful_basis="consent (they support or follow it)",
            retention="until erasure; the support count stays, anonymous",
            recipients="notifications (followers' ids, to send updates); supporters are never published",
        ),
        Processing(
            "survey answers",
            SurveyAnswer,
            ("respondent", "answers", "locality"),
            purpose="consultations and surveys: once each, counted into anonymous results",
            lawful_basis="consent (they choose to answer)",
            retention="until the person asks to be forgotten; the answers stay in the results, anonymous",
            recipients="the public and partners (anonymous results only); staff read free text without whose",
        ),
        Processing(
            "flags",
            Flag,
            ("by", "reason"),
            purpose="moderation",
            lawful_basis="public task",
            retention="kept for the hub's moderators; the flagger's id goes at erasure",
        ),
    ),
    not_personal={(Progress, "note"): "staff's public note on an accepted idea's progress"},
)
