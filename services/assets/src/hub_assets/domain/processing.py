"""The assets service's record of processing (rendered by ``hub privacy ropa``). Assets keeps no
contact details of bookers or borrowers (they go to notifications on ``hub.contacts``): the opaque
ids that stand for them, and free text written about a booking or loan."""

from __future__ import annotations

from hub_assets.domain.assets import Asset, AssetFields, OrganisationDetails, PublicContact, ServiceDetails
from hub_assets.domain.bookings import Booking
from hub_assets.domain.loans import Loan
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_common.ropa import Declaration, Processing

DECLARATION = Declaration(
    service="assets",
    processing=(
        Processing(
            "room bookings",
            Booking,
            ("booker_id", "booker_role", "purpose", "attendees"),
            purpose="running rooms fairly: who booked what, confirmations and cancellations",
            lawful_basis="contract (the booking) and public task",
            retention="the booking stays in the room's history; the purpose goes when the person asks",
            recipients="notifications (the booker's id, on public events, to send confirmations)",
        ),
        Processing(
            "equipment loans",
            Loan,
            ("borrower_kind", "borrower_id", "notes"),
            purpose="lending equipment and getting it back",
            lawful_basis="contract (the loan)",
            retention="the loan stays in the item's history; the notes go when the person asks",
            recipients="notifications (the borrower's id, on public events, for reminders)",
        ),
    ),
    not_personal={
        (PublicContact, "email"): "an organisation's public contact address (never a private person's)",
        (PublicContact, "phone"): "an organisation's public phone number",
        (OrganisationDetails, "contact"): "an organisation's public contact details",
        (ServiceDetails, "contact"): "a service's public contact details",
        (AssetFields, "name"): "a place's or item's name",
        (AssetFields, "address"): "a building's address",
        (Asset, "name"): "a place's or item's name",
        (Asset, "address"): "a building's address",
        (MaintenanceRecord, "notes"): "notes on repairing an item",
    },
)
