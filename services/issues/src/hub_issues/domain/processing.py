"""The issues service's record of processing (rendered by ``hub privacy ropa``). Issues keeps no
contact details: a report's contact goes to notifications on ``hub.contacts``; here only the opaque
ids that stand for people, and text they or staff wrote."""

from __future__ import annotations

from hub_common.ropa import Declaration, Processing
from hub_issues.domain.hub import Hub
from hub_issues.domain.issue import Feedback, HistoryEntry, Issue
from hub_issues.domain.photos import Photo
from hub_issues.domain.places import Place

DECLARATION = Declaration(
    service="issues",
    processing=(
        Processing(
            "who reported, supports or follows a report",
            Issue,
            ("reporter_id", "submitted_by", "supporters", "followers"),
            purpose="telling reporters and followers what happens to a report; one 'me too' per person",
            lawful_basis="public task",
            retention="until the person asks to be forgotten (the report stays, unlinked)",
            recipients="notifications (the ids, on public events, to send updates)",
        ),
        Processing(
            "what the reporter wrote and where",
            Issue,
            ("description", "address", "address_id", "zipcode", "media_url", "attributes"),
            purpose="fixing the problem; the council's public record of it",
            lawful_basis="public task",
            retention="kept as the anonymous public record",
            recipients="the public (Open311 and the web app), partners (public events)",
        ),
        Processing(
            "staff notes on a report",
            Issue,
            ("status_notes", "fix_note"),
            purpose="saying publicly what was done",
            lawful_basis="public task",
            retention="kept with the report",
            recipients="the public",
        ),
        Processing(
            "a report's history",
            HistoryEntry,
            ("by", "public_note", "private_note"),
            purpose="accountability for each step of the workflow",
            lawful_basis="public task",
            retention="kept with the report; a resident's id goes at erasure",
        ),
        Processing(
            "photos sent with reports and updates",
            Photo,
            ("added_by",),
            purpose="showing the problem; the image may show people, so staff can hide it",
            lawful_basis="public task",
            retention="kept with the report (re-encoded at upload: no EXIF or GPS); the sender's id goes at erasure",
            recipients="the public, unless hidden",
        ),
        Processing(
            "the reporter's feedback",
            Feedback,
            ("comment", "satisfaction", "fixed"),
            purpose="learning whether the fix worked",
            lawful_basis="consent (they choose to answer)",
            retention="the comment goes at erasure; the scores stay as anonymous counts",
        ),
    ),
    not_personal={
        (Issue, "service_name"): "the category's name",
        (Hub, "name"): "a hub's name",
        (Place, "name"): "a street's, landmark's or postcode's name (the gazetteer, or a geocoder's answer)",
    },
)
