"""The unit of work's staged writes and per-transaction reads, on the real database."""

from __future__ import annotations

import pytest

from hub_common.contracts.contacts import VolunteerContactErased
from hub_common.uow import IDEMPOTENCY, IdempotentRequest, IdempotentResultErased, Transaction
from hub_volunteers.__main__ import DEFINITION


async def test_staged_writes_go_in_one_call_before_the_commit_and_a_flush_makes_them_readable(service_context) -> None:
    ctx = await service_context(DEFINITION)
    things = ctx.db["things"]
    calls: list[int] = []

    async def write(docs, session) -> None:
        calls.append(len(docs))
        await things.insert_many(docs, session=session)

    async def work(tx: Transaction) -> int:
        for n in range(5):
            tx.stage("things", {"_id": n}, write)
        seen_before = await things.count_documents({}, session=tx.session)
        await tx.flush("things")  # a read of the collection in the transaction must see them
        seen_after = await things.count_documents({}, session=tx.session)
        tx.stage("things", {"_id": 5}, write)
        tx.stage("things", {"_id": 6}, write)
        return seen_before * 100 + seen_after

    assert await ctx.uow.run(work, result_type=int) == 5
    assert calls == [5, 2]  # one call per flush, the rest written before the commit
    assert await things.count_documents({}) == 7


async def test_a_failed_transaction_writes_nothing_it_staged(service_context) -> None:
    ctx = await service_context(DEFINITION)

    async def write(docs, session) -> None:
        await ctx.db["things"].insert_many(docs, session=session)

    async def work(tx: Transaction) -> None:
        tx.stage("things", {"_id": 1}, write)
        await tx.flush()
        tx.stage("things", {"_id": 2}, write)
        raise ValueError("the handler failed")

    with pytest.raises(ValueError):
        await ctx.uow.run(work)
    assert await ctx.db["things"].count_documents({}) == 0


async def test_a_memo_is_read_once_per_transaction_until_forgotten(service_context) -> None:
    ctx = await service_context(DEFINITION)
    loads: list[str] = []

    async def load() -> str:
        loads.append("read")
        return f"value {len(loads)}"

    async def work(tx: Transaction) -> list[str]:
        seen = [await tx.memo(("settings", "hub-1"), load), await tx.memo(("settings", "hub-1"), load)]
        tx.forget(("settings", "hub-1"))
        seen.append(await tx.memo(("settings", "hub-1"), load))
        return seen

    assert await ctx.uow.run(work, result_type=list[str]) == ["value 1", "value 1", "value 2"]
    assert await ctx.uow.run(work, result_type=list[str]) == ["value 3", "value 3", "value 4"]  # not across them


async def test_erasure_strips_the_stored_results_about_a_person_and_a_repeat_is_refused(service_context) -> None:
    ctx = await service_context(DEFINITION)

    def register(name: str):
        async def work(tx: Transaction) -> dict:
            await tx.collection("people").insert_one({"_id": name, "phone": "07700 900123"}, session=tx.session)
            tx.publish(VolunteerContactErased(person_id=name), subject=name)  # any event about them
            return {"id": name, "phone": "07700 900123"}

        return work

    mine = IdempotentRequest.of("k-1", caller="resident-1", method="POST", path="/v1/people", body={"n": 1})
    other = IdempotentRequest.of("k-2", caller="resident-2", method="POST", path="/v1/people", body={"n": 2})
    assert await ctx.uow.run(register("person-1"), idempotency=mine, result_type=dict) == {
        "id": "person-1",
        "phone": "07700 900123",
    }
    await ctx.uow.run(register("person-2"), idempotency=other, result_type=dict)
    stored = await ctx.db[IDEMPOTENCY].find_one({"_id": mine.record_id})
    assert stored["about"] == ["person-1", "resident-1"]  # the caller and what the request changed

    async def erase(tx: Transaction) -> None:
        await tx.erase_idempotent_results(["person-1"])

    await ctx.uow.run(erase)
    erased = await ctx.db[IDEMPOTENCY].find_one({"_id": mine.record_id})
    assert "result" not in erased and "900123" not in str(erased)
    with pytest.raises(IdempotentResultErased):
        await ctx.uow.run(register("person-1"), idempotency=mine, result_type=dict)
    assert await ctx.db["people"].count_documents({"_id": "person-1"}) == 1  # not done again
    # Someone else's stored result is untouched.
    assert await ctx.uow.run(register("person-2"), idempotency=other, result_type=dict) == {
        "id": "person-2",
        "phone": "07700 900123",
    }
