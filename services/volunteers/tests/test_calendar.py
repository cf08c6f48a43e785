"""The iCalendar feed of a volunteer's shifts."""

from __future__ import annotations

from icalendar import Calendar
from volunteers_testkit import World


async def test_feed_lists_confirmed_and_waitlisted_shifts_privately(world: World) -> None:
    full = await world.shift(capacity=1)
    open_shift = await world.shift(capacity=2, in_days=4)
    _first, first_auth = await world.active_volunteer()
    volunteer, own = await world.active_volunteer()
    await world.api.client.post(f"/v1/shifts/{full['id']}/signups", headers=first_auth)
    await world.api.client.post(f"/v1/shifts/{full['id']}/signups", headers=own)  # waitlisted
    await world.api.client.post(f"/v1/shifts/{open_shift['id']}/signups", headers=own)

    response = await world.api.client.get(f"/v1/volunteers/{volunteer['id']}/shifts.ics", headers=own)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    by_status = {str(e["STATUS"]): e for e in events}
    assert set(by_status) == {"CONFIRMED", "TENTATIVE"}
    assert "(waitlist)" in str(by_status["TENTATIVE"]["SUMMARY"])
    assert str(by_status["CONFIRMED"]["LOCATION"]).startswith("Northfield Community Hub")

    # The secret feed URL works without a sign-in (for calendar apps); a wrong one does not.
    token = (await world.api.client.get("/v1/volunteers/me", headers=own)).json()["calendar_token"]
    assert (await world.api.client.get(f"/v1/calendars/{token}.ics")).content == response.content
    assert (await world.api.client.get("/v1/calendars/not-a-real-token-at-all.ics")).status_code == 404
    other = await world.api.client.get(f"/v1/volunteers/{volunteer['id']}/shifts.ics", headers=first_auth)
    assert other.status_code == 403
