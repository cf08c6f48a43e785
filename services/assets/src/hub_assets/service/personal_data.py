"""What the assets service holds about people, and their rights over it (erasure, subject access).

Assets keeps no contact details (a booker's or borrower's go to notifications on ``hub.contacts``):
bookings and loans carry the person's opaque id, which the room's and the item's history needs,
and free text they or staff wrote (a booking's purpose, a loan's notes). Erasure clears the text and
tells notifications to erase the contact; the bookings and loans stay, anonymous.
"""

from __future__ import annotations

from typing import Any

from hub_assets.adapters.bookings import BookingRepository
from hub_assets.adapters.loans import LoanRepository
from hub_common.auth import Principal
from hub_common.contracts.contacts import BookerContactErased
from hub_common.contracts.privacy import HeldData
from hub_common.privacy import held
from hub_common.uow import Transaction, UnitOfWork


class PersonalDataService:
    def __init__(self, uow: UnitOfWork, bookings: BookingRepository, loans: LoanRepository) -> None:
        self.uow = uow
        self.bookings = bookings
        self.loans = loans

    async def forget_me(self, caller: Principal) -> int:
        """The signed-in person asks to be forgotten; returns how many bookings' free text was cleared."""

        async def work(tx: Transaction) -> int:
            _receipt, known, cleared = await self._forget([caller.sub], tx)
            if caller.sub not in known:  # contact details may have come with a booking since cleared
                tx.publish(BookerContactErased(person_id=caller.sub), subject=caller.sub)
            return cleared

        return await self.uow.run(work)

    async def erase_people(self, person_ids: list[str], tx: Transaction) -> list[HeldData]:
        receipt, _known, _cleared = await self._forget(person_ids, tx)
        return receipt

    async def _forget(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], set[str], int]:
        """Clear their free text; the receipt, the ids assets knew them by, and how many purposes were cleared."""
        bookings = await self.bookings.of_bookers(person_ids, tx.session)
        loans = await self.loans.of_borrowers(person_ids, tx.session)
        cleared = await self.bookings.clear_purposes(person_ids, tx.session)
        await self.loans.clear_notes(person_ids, tx.session)
        await tx.erase_idempotent_results(person_ids)  # stored booking responses hold the purpose
        # Their contact details came to notifications from here under these ids: the erased event
        # supersedes them, in the contact book and in the compacted hub.contacts topic.
        known = {b.booker_id for b in bookings} | {loan.borrower_id for loan in loans}
        for person_id in sorted(known):
            tx.publish(BookerContactErased(person_id=person_id), subject=person_id)
        receipt = [
            *held(
                "room bookings", len(bookings), "purpose cleared; the booking stays in the room's history, anonymous"
            ),
            *held("equipment loans", len(loans), "notes cleared; the loan stays in the item's history, anonymous"),
        ]
        return receipt, known, cleared

    async def export_people(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], dict[str, Any]]:
        bookings = await self.bookings.of_bookers(person_ids, tx.session)
        loans = await self.loans.of_borrowers(person_ids, tx.session)
        export = {
            "bookings": [
                b.model_dump(
                    mode="json",
                    include={
                        "id",
                        "room_id",
                        "hub_id",
                        "purpose",
                        "attendees",
                        "starts_at",
                        "ends_at",
                        "status",
                        "reason",
                        "created_at",
                    },
                )
                for b in bookings
            ],
            "loans": [
                loan.model_dump(
                    mode="json",
                    include={
                        "id",
                        "asset_id",
                        "hub_id",
                        "quantity",
                        "starts_at",
                        "due_at",
                        "status",
                        "checked_out_at",
                        "returned_at",
                        "notes",
                    },
                )
                for loan in loans
            ],
        }
        return [
            *held("room bookings", len(bookings), "exported"),
            *held("equipment loans", len(loans), "exported"),
        ], export
