"""Ward councillors' rules without storage: a comment beside the idea's status, erasure unsigning it,
and the brief's order of open forum actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_idea_domain import AT, new_idea
from test_meeting_domain import NOW, new_meeting

from hub_common.errors import Conflict
from hub_participation.domain.brief import compose_brief, open_actions
from hub_participation.domain.idea import CouncillorComment
from hub_participation.domain.meeting import ForumAction


def comment(by: str = "cllr-1", name: str = "Cathy Moss") -> CouncillorComment:
    return CouncillorComment(id="cc-1", by=by, name=name, text="I will raise it.", at=AT)


def test_a_comment_changes_the_version_and_nothing_of_the_status() -> None:
    idea = new_idea()
    commented = idea.commented_by_councillor(comment())
    assert commented.status == idea.status == "open" and commented.response is None
    assert commented.version == idea.version + 1 and commented.councillor_comments[0].shown_as == "Cathy Moss"


def test_a_hidden_idea_takes_no_comment() -> None:
    hidden = new_idea().hidden_by("rude", by="staff-1", at=AT)
    with pytest.raises(Conflict, match="hidden"):
        hidden.commented_by_councillor(comment())


def test_erasure_unsigns_only_that_councillors_comments() -> None:
    idea = new_idea().commented_by_councillor(comment()).commented_by_councillor(comment("cllr-2", "Dev Anand"))
    forgotten = idea.forgetting("cllr-1")
    assert [c.shown_as for c in forgotten.councillor_comments] == ["a councillor", "Dev Anand"]
    assert forgotten.councillor_comments[0].by is None and forgotten.version == idea.version + 1
    assert forgotten.councillor_comments[0].text == "I will raise it."


def action(action_id: str, due: date, status: str = "open") -> ForumAction:
    return ForumAction(id=action_id, title=f"Action {action_id}", owner="Hub team", due_on=due, status=status)


def test_open_actions_are_soonest_due_first_with_the_overdue_marked_and_done_ones_left_out() -> None:
    today = NOW.date()
    first = new_meeting().model_copy(
        update={"id": "m-1", "actions": [action("a", today + timedelta(days=9)), action("b", today, "done")]}
    )
    second = new_meeting().model_copy(update={"id": "m-2", "actions": [action("c", today - timedelta(days=1))]})

    found = open_actions([first, second], today)

    assert [(a.meeting_id, a.action.id, a.overdue) for a in found] == [("m-2", "c", True), ("m-1", "a", False)]


def test_the_brief_leaves_out_called_off_meetings_and_ideas_of_another_status() -> None:
    idea = new_idea()
    meetings = [new_meeting(), new_meeting().called_off("The hall flooded", NOW)]
    brief = compose_brief(
        "hub-n", awaiting=[idea], most_supported=[idea], upcoming=meetings, with_open_actions=[], now=NOW
    )
    assert brief.awaiting_response == [] and brief.most_supported == [idea]  # open: still gathering support
    assert [m.status for m in brief.upcoming_meetings] == ["scheduled"]
