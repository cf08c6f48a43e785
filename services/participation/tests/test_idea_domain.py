"""The idea's rules without storage: support to the threshold once, one support each, answers,
progress, moderation, edits with history, erasure, and duplicate hints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub_common.errors import Conflict, Forbidden
from hub_participation.domain.idea import Idea, Wording
from hub_participation.domain.similar import Candidate, keywords, similar_ideas

AT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
TREES = Wording(title="Plant fruit trees on Green Lane", description="Apple trees along the verge.")


def new_idea(threshold: int = 3) -> Idea:
    return Idea.new(
        "idea-1", "hub-n", TREES, proposer_id="res-p", display_name=None, support_threshold=threshold, at=AT
    )


def supported(idea: Idea, *people: str) -> Idea:
    for person in people:
        result = idea.supported_by(person, AT)
        assert result is not None
        idea = result[0]
    return idea


def test_the_threshold_moves_an_idea_to_for_response_exactly_once() -> None:
    idea = supported(new_idea(threshold=2), "res-a")
    assert idea.status == "open" and idea.support_count == 1

    reached, crossed = idea.supported_by("res-b", AT)  # type: ignore[misc]
    assert crossed and reached.status == "for_response" and reached.threshold_reached_at == AT

    after, crossed_again = reached.supported_by("res-c", AT)  # type: ignore[misc]
    assert not crossed_again and after.support_count == 3 and after.status == "for_response"


def test_one_support_per_person_and_not_your_own_idea() -> None:
    idea = supported(new_idea(), "res-a")
    assert idea.supported_by("res-a", AT) is None  # counted already: nothing changes
    with pytest.raises(Conflict, match="you proposed this idea"):
        idea.supported_by("res-p", AT)


def test_a_hidden_or_answered_idea_takes_no_support() -> None:
    hidden = new_idea().hidden_by("abusive wording", by="staff-1", at=AT)
    with pytest.raises(Conflict, match="hidden"):
        hidden.supported_by("res-a", AT)
    answered = new_idea().responded("not_taken_forward", "No budget this year.", by="staff-1", at=AT)
    with pytest.raises(Conflict, match="answer"):
        answered.supported_by("res-a", AT)
    with pytest.raises(Conflict, match="answered already"):
        answered.responded("accepted", "Changed our mind.", by="staff-1", at=AT)


def test_progress_only_on_an_accepted_idea_until_it_is_done() -> None:
    with pytest.raises(Conflict, match="accepted"):
        new_idea().with_progress("Started", False, by="staff-1", at=AT)
    accepted = new_idea().responded("accepted", "Yes, this winter.", by="staff-1", at=AT)
    done = accepted.with_progress("Trees ordered", False, by="staff-1", at=AT).with_progress(
        "Planted", True, by="staff-1", at=AT
    )
    assert [p.note for p in done.progress] == ["Trees ordered", "Planted"]
    with pytest.raises(Conflict, match="done already"):
        done.with_progress("More", False, by="staff-1", at=AT)


def test_only_the_proposer_edits_and_the_old_wording_stays_in_the_history() -> None:
    idea = new_idea()
    reworded = Wording(title="Plant apple trees on Green Lane", description="Six apple trees along the verge.")
    with pytest.raises(Forbidden):
        idea.edited("res-a", reworded, AT)
    edited = idea.edited("res-p", reworded, AT)
    assert edited is not None and edited.wording == reworded and edited.version == idea.version + 1
    assert [e.before for e in edited.edits] == [TREES]
    assert edited.edited("res-p", reworded, AT) is None  # the same wording: no new history entry


def test_flags_are_one_per_person_and_do_not_change_the_version() -> None:
    flagged = new_idea().flagged_by("res-a", "spam", AT)
    assert flagged is not None and len(flagged.flags) == 1 and flagged.version == 1
    assert flagged.flagged_by("res-a", "spam again", AT) is None


def test_forgetting_unlinks_the_person_and_keeps_the_idea_and_its_counts() -> None:
    idea = Idea.new("idea-1", "hub-n", TREES, proposer_id="res-p", display_name="Jo", support_threshold=3, at=AT)
    idea = supported(idea, "res-a", "res-b").flagged_by("res-a", "dup", AT)
    assert idea is not None

    proposer_gone = idea.forgetting("res-p")
    assert proposer_gone.proposer_id is None and proposer_gone.proposed_by == "a resident"
    assert proposer_gone.followers == [] and proposer_gone.wording == TREES
    supporter_gone = idea.forgetting("res-a")
    assert supporter_gone.supporters == ["res-b"] and supporter_gone.support_count == 2
    assert supporter_gone.flags[0].by is None and supporter_gone.flags[0].reason == "dup"
    assert idea.forgetting("nobody") is idea


def test_similar_ideas_share_their_words_once_the_filler_is_left_out() -> None:
    assert keywords("Please can we have MORE trees on the Green Lane?") == ["trees", "green", "lane"]
    candidates = [
        Candidate("idea-trees", "Trees for Green Lane", 4, frozenset({"trees", "green", "lane"}), frozenset()),
        Candidate("idea-bins", "More bins in the park", 9, frozenset({"bins", "park"}), frozenset({"bins", "park"})),
        Candidate("idea-lane", "Resurface Green Lane", 2, frozenset({"resurface", "green", "lane"}), frozenset()),
    ]
    hints = similar_ideas("Plant fruit trees on Green Lane", None, candidates)
    assert [h.idea_id for h in hints] == ["idea-trees", "idea-lane"]
    assert hints[0].overlap == 0.6
