"""Participatory budgeting's pure rules: the phases, ballots (allocation within the budget, approval),
the count with its greedy choice of winners and deterministic tie break, and the proposal's review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub_common.errors import Conflict, RuleViolation
from hub_participation.domain.pb_count import Candidate, check_ballot, count, voter_key
from hub_participation.domain.pb_proposal import Proposal
from hub_participation.domain.pb_round import Round

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)


def a_round(**fields) -> Round:
    base = {
        "id": "pb-1",
        "hub_id": "hub-northfield",
        "title": "Northfield's £10,000",
        "description": "Your ideas for the estate.",
        "budget": 1_000_000,
        "method": "allocation",
        "created_at": T0,
        "voting_closes_at": T0 + timedelta(days=30),
    }
    return Round(**{**base, **fields})


def candidate(pid: str, cost: int, day: int = 0) -> Candidate:
    return Candidate(proposal_id=pid, title=f"Project {pid}", cost=cost, submitted_at=T0 + timedelta(days=day))


def test_a_round_moves_one_phase_at_a_time_and_voting_needs_reviewed_eligible_proposals_and_a_window() -> None:
    r = a_round()
    with pytest.raises(Conflict):
        r.advanced("voting", T0)  # no skipping
    r = r.advanced("proposals", T0)
    with pytest.raises(Conflict):
        r.advanced("proposals", T0)  # a repeated click is refused, not a second step
    r = r.advanced("review", T0)
    with pytest.raises(Conflict, match="wait for review"):
        r.advanced("voting", T0, eligible=2, unreviewed=1)
    with pytest.raises(Conflict, match="nothing to vote on"):
        r.advanced("voting", T0, eligible=0)
    with pytest.raises(RuleViolation, match="voting_closes_at"):
        r.model_copy(update={"voting_closes_at": None}).advanced("voting", T0, eligible=2)
    voting = r.advanced("voting", T0 + timedelta(days=1), eligible=2)
    assert voting.phase == "voting" and voting.voting_opens_at == T0 + timedelta(days=1)
    with pytest.raises(Conflict):
        voting.advanced("closed", T0)  # closing carries results: it is closed(), not a step


def test_the_ballot_rules_change_only_before_voting_and_nothing_after_closing() -> None:
    r = a_round().advanced("proposals", T0)
    assert r.edited(budget=500_000).budget == 500_000
    with pytest.raises(RuleViolation):
        r.edited(budget=0)
    voting = r.advanced("review", T0).advanced("voting", T0, eligible=1)
    assert voting.edited(title="A better title").title == "A better title"
    with pytest.raises(Conflict):
        voting.edited(budget=2_000_000)
    with pytest.raises(Conflict):
        voting.edited(voting_closes_at=T0 + timedelta(days=60))


def test_votes_are_taken_only_inside_the_window() -> None:
    opens, closes = T0 + timedelta(days=1), T0 + timedelta(days=8)
    voting = a_round(voting_opens_at=opens, voting_closes_at=closes).model_copy(update={"phase": "voting"})
    voting.check_voting_open(opens)
    for outside in (opens - timedelta(seconds=1), closes):
        with pytest.raises(Conflict):
            voting.check_voting_open(outside)
    with pytest.raises(Conflict):
        a_round(voting_opens_at=opens, voting_closes_at=closes).check_voting_open(opens)  # a draft


def test_an_allocation_ballot_fits_the_budget_and_names_projects_on_the_ballot_once() -> None:
    ballot = [candidate("a", 600_000), candidate("b", 300_000), candidate("c", 200_000)]
    assert check_ballot("allocation", 1_000_000, None, ballot, ["b", "a"]) == ("a", "b")  # stored sorted
    for wrong, says in (
        (["a", "b", "c"], "more than the budget"),
        ([], "at least one"),
        (["a", "a"], "once"),
        (["a", "zzz"], "not on this round's ballot"),
    ):
        with pytest.raises(RuleViolation, match=says):
            check_ballot("allocation", 1_000_000, None, ballot, wrong)


def test_an_approval_ballot_may_exceed_the_budget_but_not_the_most_approvals() -> None:
    ballot = [candidate("a", 600_000), candidate("b", 600_000), candidate("c", 600_000)]
    assert check_ballot("approval", 1_000_000, None, ballot, ["a", "b", "c"]) == ("a", "b", "c")
    with pytest.raises(RuleViolation, match="at most 2"):
        check_ballot("approval", 1_000_000, 2, ballot, ["a", "b", "c"])


def test_winners_are_chosen_greedily_by_votes_within_the_budget() -> None:
    projects = [candidate("big", 800_000), candidate("mid", 400_000), candidate("small", 150_000)]
    ballots = [("big",), ("big", "small"), ("big",), ("mid", "small"), ("mid",)]
    results = count("pb-1", "allocation", 1_000_000, projects, ballots)
    ranked = [(p.proposal_id, p.votes, p.funded) for p in results.projects]
    # big (3) is funded; mid (2) no longer fits; small (2, and cheaper than mid) ranks above mid and fits
    assert ranked == [("big", 3, True), ("small", 2, True), ("mid", 2, False)]
    assert results.ballots == 5 and results.funded_total == 950_000


def test_ties_go_to_the_cheaper_then_the_earlier_then_the_id_and_unvoted_projects_are_not_funded() -> None:
    projects = [
        candidate("late", 100_000, day=2),
        candidate("early", 100_000, day=1),
        candidate("dear", 300_000, day=0),
        candidate("b-same", 100_000, day=1),
        candidate("nobody", 1, day=0),
    ]
    ballots = [("late", "early", "dear", "b-same")]
    results = count("pb-1", "approval", 10_000_000, projects, ballots)
    assert [p.proposal_id for p in results.projects] == ["b-same", "early", "late", "dear", "nobody"]
    assert [p.funded for p in results.projects] == [True, True, True, True, False]
    assert count("pb-1", "approval", 10_000_000, list(reversed(projects)), ballots) == results  # a recount agrees


def test_approval_winners_are_the_most_approved_that_fit() -> None:
    projects = [candidate("a", 700_000), candidate("b", 500_000), candidate("c", 300_000)]
    ballots = [("a", "b", "c"), ("a", "b"), ("a",), ("b", "c")]
    results = count("pb-1", "approval", 1_000_000, projects, ballots)
    assert [(p.proposal_id, p.votes, p.funded) for p in results.projects] == [
        ("b", 3, True),  # tied with a, and cheaper
        ("a", 3, False),  # no longer fits
        ("c", 2, True),
    ]


def test_a_ballot_key_is_one_per_voter_and_round_and_names_no_one() -> None:
    key = voter_key(b"secret", "pb-1", "res-1")
    assert key == voter_key(b"secret", "pb-1", "res-1") and key.startswith("pb-1:") and "res-1" not in key
    assert key != voter_key(b"secret", "pb-2", "res-1") and key != voter_key(b"other", "pb-1", "res-1")


def test_a_proposal_is_reviewed_then_funded_and_delivered() -> None:
    p = Proposal(
        id="pbp-1",
        round_id="pb-1",
        hub_id="hub-northfield",
        title="A table tennis table",
        description="In the park by the flats.",
        estimated_cost=250_000,
        proposer_id="res-1",
        submitted_at=T0,
    )
    with pytest.raises(RuleViolation, match="why"):
        p.reviewed(False, None, None, by="staff-1", at=T0)
    assert p.reviewed(True, None, None, by="staff-1", at=T0).final_cost == 250_000  # the estimate stands
    eligible = p.reviewed(True, 300_000, "Includes fitting", by="staff-1", at=T0)
    assert eligible.candidate().cost == 300_000
    with pytest.raises(Conflict):
        eligible.progressed("Ordered", False, by="staff-1", at=T0)  # not funded yet
    funded = eligible.decided(True, 12)
    with pytest.raises(Conflict):
        funded.reviewed(False, None, "Too late", by="staff-1", at=T0)
    going = funded.progressed("Ordered", False, by="staff-1", at=T0)
    done = going.progressed("Installed", True, by="staff-1", at=T0 + timedelta(days=9))
    assert done.status == "delivered" and done.delivered_at == T0 + timedelta(days=9) and len(done.updates) == 2
    with pytest.raises(Conflict, match="delivered"):
        done.progressed("Again", True, by="staff-1", at=T0)
    assert done.forgetting("res-1").proposer_id is None
