"""The participation service's client: ideas, forum meetings, surveys and participatory budgeting
(``services/participation``).

Kept apart from ``clients.py`` (the other four services) so its pages can grow without touching
theirs; it is the same thin ``ServiceClient``: problem+json becomes ``ServiceProblem``, a service
that does not answer ``ServiceDown``.
"""

from __future__ import annotations

from typing import Any

from hub_web.clients import ServiceClient, ServiceProblem, seg


class ParticipationClient(ServiceClient):
    # -- ideas ------------------------------------------------------------------------------------

    async def idea_settings(self, hub_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/hubs/{seg(hub_id)}/idea-settings")

    async def ideas(
        self, hub_id: str, sort: str = "support", status: str | None = None, limit: int = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        params = {"sort": sort, "status": status, "limit": limit, "cursor": cursor}
        return await self.get(f"/v1/hubs/{seg(hub_id)}/ideas", params=params)

    async def idea(self, idea_id: str) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/ideas/{seg(idea_id)}")

    async def similar(self, hub_id: str, title: str, description: str | None) -> list[dict[str, Any]]:
        params = {"hub_id": hub_id, "title": title, "description": description}
        return await self.get("/v1/ideas/similar", params=params)

    async def propose(self, token: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self.send("POST", "/v1/ideas", token=token, json=body, idempotency_key=idempotency_key)

    async def support(self, token: str, idea_id: str, follow: bool, idempotency_key: str) -> dict[str, Any]:
        path = f"/v1/ideas/{seg(idea_id)}/supports"
        return await self.send("POST", path, token=token, json={"follow": follow}, idempotency_key=idempotency_key)

    async def follow(self, token: str, idea_id: str, contact: dict[str, Any] | None) -> dict[str, Any]:
        body = {"contact": contact} if contact else {}
        return await self.send("POST", f"/v1/ideas/{seg(idea_id)}/followers", token=token, json=body)

    async def flag(self, token: str, idea_id: str, reason: str, idempotency_key: str) -> dict[str, Any]:
        path = f"/v1/ideas/{seg(idea_id)}/flags"
        return await self.send("POST", path, token=token, json={"reason": reason}, idempotency_key=idempotency_key)

    async def hide(self, token: str, idea_id: str, reason: str, etag: str | None) -> dict[str, Any]:
        path = f"/v1/ideas/{seg(idea_id)}/hide"
        return await self.send("POST", path, token=token, json={"reason": reason}, etag=etag)

    async def respond(
        self, token: str, idea_id: str, body: dict[str, Any], etag: str | None, idempotency_key: str
    ) -> dict[str, Any]:
        path = f"/v1/ideas/{seg(idea_id)}/response"
        return await self.send("POST", path, token=token, json=body, etag=etag, idempotency_key=idempotency_key)

    async def progress(self, token: str, idea_id: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        path = f"/v1/ideas/{seg(idea_id)}/progress"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    # -- ward councillors -------------------------------------------------------------------------

    async def councillor_brief(self, token: str, hub_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/hubs/{seg(hub_id)}/councillor-brief", token=token)

    async def councillor_comment(
        self, token: str, idea_id: str, comment: str, display_name: str, idempotency_key: str
    ) -> dict[str, Any]:
        path = f"/v1/ideas/{seg(idea_id)}/councillor-comments"
        body = {"comment": comment, "display_name": display_name}
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    # -- forum meetings ---------------------------------------------------------------------------

    async def meetings(
        self, hub_id: str, upcoming: bool = True, limit: int = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        params = {"upcoming": "true" if upcoming else "false", "limit": limit, "cursor": cursor}
        return await self.get(f"/v1/hubs/{seg(hub_id)}/meetings", params=params)

    async def calendar(self, hub_id: str) -> bytes:
        return (await self.call("GET", f"/v1/hubs/{seg(hub_id)}/meetings.ics")).content

    async def meeting(self, meeting_id: str) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/meetings/{seg(meeting_id)}")

    async def schedule(self, token: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self.send("POST", "/v1/meetings", token=token, json=body, idempotency_key=idempotency_key)

    async def cancel_meeting(self, token: str, meeting_id: str, reason: str, etag: str | None) -> dict[str, Any]:
        path = f"/v1/meetings/{seg(meeting_id)}/cancel"
        return await self.send("POST", path, token=token, json={"reason": reason}, etag=etag)

    async def my_registration(self, token: str, meeting_id: str) -> dict[str, Any] | None:
        """Your place at a meeting, or None when you have none."""
        try:
            return await self.get(f"/v1/meetings/{seg(meeting_id)}/registration", token=token)
        except ServiceProblem as problem:
            if problem.status == 404:
                return None
            raise

    async def register(self, token: str, meeting_id: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        path = f"/v1/meetings/{seg(meeting_id)}/registration"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def cancel_registration(self, token: str, meeting_id: str) -> dict[str, Any]:
        return await self.send("DELETE", f"/v1/meetings/{seg(meeting_id)}/registration", token=token)

    async def access_needs(self, token: str, meeting_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/meetings/{seg(meeting_id)}/access-needs", token=token)

    async def publish_minutes(self, token: str, meeting_id: str, body: dict[str, Any], etag: str | None) -> Any:
        return await self.send("POST", f"/v1/meetings/{seg(meeting_id)}/minutes", token=token, json=body, etag=etag)

    async def complete_action(self, token: str, meeting_id: str, action_id: str, note: str, etag: str | None) -> Any:
        path = f"/v1/meetings/{seg(meeting_id)}/actions/{seg(action_id)}/complete"
        return await self.send("POST", path, token=token, json={"note": note}, etag=etag)

    # -- surveys ----------------------------------------------------------------------------------

    async def surveys(
        self, hub_id: str, status: str | None = None, token: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        params = {"status": status, "limit": limit}
        return (await self.get(f"/v1/hubs/{seg(hub_id)}/surveys", params=params, token=token))["items"]

    async def survey(self, survey_id: str, token: str | None = None) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/surveys/{seg(survey_id)}", token=token)

    async def create_survey(self, token: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self.send("POST", "/v1/surveys", token=token, json=body, idempotency_key=idempotency_key)

    async def open_survey(
        self, token: str, survey_id: str, closes_at: str | None, etag: str | None, *, invite_panel: bool = False
    ) -> Any:
        path = f"/v1/surveys/{seg(survey_id)}/open"
        body = {"closes_at": closes_at, "invite_panel": invite_panel}
        return await self.send("POST", path, token=token, json=body, etag=etag)

    # -- a hub's citizens' panel ------------------------------------------------------------------

    async def on_panel(self, token: str, hub_id: str) -> bool:
        return (await self.get(f"/v1/hubs/{seg(hub_id)}/panel/me", token=token))["member"]

    async def join_panel(self, token: str, hub_id: str, contact: dict[str, Any]) -> bool:
        joined = await self.send("PUT", f"/v1/hubs/{seg(hub_id)}/panel/me", token=token, json={"contact": contact})
        return joined["changed"]

    async def leave_panel(self, token: str, hub_id: str) -> bool:
        return (await self.send("DELETE", f"/v1/hubs/{seg(hub_id)}/panel/me", token=token))["changed"]

    async def panel_size(self, token: str, hub_id: str) -> int:
        return (await self.get(f"/v1/hubs/{seg(hub_id)}/panel", token=token))["members"]

    async def close_survey(self, token: str, survey_id: str, etag: str | None) -> Any:
        return await self.send("POST", f"/v1/surveys/{seg(survey_id)}/close", token=token, etag=etag)

    async def answer(self, token: str, survey_id: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        path = f"/v1/surveys/{seg(survey_id)}/answers"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def answered(self, token: str, survey_id: str) -> bool:
        return bool((await self.get(f"/v1/surveys/{seg(survey_id)}/answers/mine", token=token))["answered"])

    async def stop_repeating(self, token: str, survey_id: str, etag: str | None) -> Any:
        return await self.send("POST", f"/v1/surveys/{seg(survey_id)}/stop-repeating", token=token, etag=etag)

    async def waves(self, survey_id: str, token: str | None = None) -> dict[str, Any]:
        """A repeating survey's waves and, per scale and choice question, its figure in each."""
        return await self.get(f"/v1/surveys/{seg(survey_id)}/waves", token=token)

    async def results(self, survey_id: str, token: str | None = None) -> dict[str, Any]:
        return await self.get(f"/v1/surveys/{seg(survey_id)}/results", token=token)

    async def texts(self, token: str, survey_id: str, question_id: str, limit: int = 100) -> dict[str, Any]:
        path = f"/v1/surveys/{seg(survey_id)}/questions/{seg(question_id)}/texts"
        return await self.get(path, token=token, params={"limit": limit})

    # -- participatory budgeting ------------------------------------------------------------------

    async def pb_rounds(self, hub_id: str, token: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """A hub's budgeting rounds, newest first (its drafts too, for its staff's token)."""
        return (await self.get(f"/v1/hubs/{seg(hub_id)}/pb-rounds", params={"limit": limit}, token=token))["items"]

    async def pb_round(self, round_id: str, token: str | None = None) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/pb/rounds/{seg(round_id)}", token=token)

    async def create_pb_round(self, token: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self.send("POST", "/v1/pb/rounds", token=token, json=body, idempotency_key=idempotency_key)

    async def edit_pb_round(self, token: str, round_id: str, changes: dict[str, Any], etag: str | None) -> Any:
        return await self.send("PATCH", f"/v1/pb/rounds/{seg(round_id)}", token=token, json=changes, etag=etag)

    async def advance_pb_round(self, token: str, round_id: str, to: str, etag: str | None) -> Any:
        path = f"/v1/pb/rounds/{seg(round_id)}/advance"
        return await self.send("POST", path, token=token, json={"to": to}, etag=etag)

    async def close_pb_round(self, token: str, round_id: str, etag: str | None) -> Any:
        return await self.send("POST", f"/v1/pb/rounds/{seg(round_id)}/close", token=token, etag=etag)

    async def pb_results(self, round_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/pb/rounds/{seg(round_id)}/results")

    async def pb_recount(self, token: str, round_id: str) -> dict[str, Any]:
        return await self.send("POST", f"/v1/pb/rounds/{seg(round_id)}/recount", token=token)

    async def pb_proposals(self, round_id: str, token: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        path = f"/v1/pb/rounds/{seg(round_id)}/proposals"
        return (await self.get(path, params={"limit": limit}, token=token))["items"]

    async def pb_proposal(self, proposal_id: str, token: str | None = None) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/pb/proposals/{seg(proposal_id)}", token=token)

    async def submit_pb_proposal(
        self, token: str, round_id: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        path = f"/v1/pb/rounds/{seg(round_id)}/proposals"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def review_pb_proposal(self, token: str, proposal_id: str, body: dict[str, Any], etag: str | None) -> Any:
        path = f"/v1/pb/proposals/{seg(proposal_id)}/review"
        return await self.send("POST", path, token=token, json=body, etag=etag)

    async def pb_progress(
        self, token: str, proposal_id: str, body: dict[str, Any], etag: str | None, idempotency_key: str
    ) -> Any:
        path = f"/v1/pb/proposals/{seg(proposal_id)}/progress"
        return await self.send("POST", path, token=token, json=body, etag=etag, idempotency_key=idempotency_key)

    async def my_ballot(self, token: str, round_id: str) -> list[str] | None:
        """Your ballot's choices in a round, or None when you have not voted."""
        try:
            return (await self.get(f"/v1/pb/rounds/{seg(round_id)}/ballot", token=token))["choices"]
        except ServiceProblem as problem:
            if problem.status == 404:
                return None
            raise

    async def request_sign_in_link(self, email: str, return_to: str, hub_id: str | None, language: str) -> None:
        """Have a link emailed that signs the resident in by their address (202 whatever the address)."""
        body = {"email": email, "return_to": return_to, "language": language, **({"hub_id": hub_id} if hub_id else {})}
        await self.send("POST", "/v1/sign-in-links", json=body)

    async def cast_ballot(self, token: str, round_id: str, choices: list[str]) -> dict[str, Any]:
        """Cast or replace your ballot (a PUT: sent twice it is the same ballot)."""
        path = f"/v1/pb/rounds/{seg(round_id)}/ballot"
        return await self.send("PUT", path, token=token, json={"choices": choices})
