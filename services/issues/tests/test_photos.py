"""Photos: upload checked by content and re-encoded without metadata, attached to a report or a staff
update, served with thumbnails and in Open311's media_url, hidden by staff, swept when never sent."""

from __future__ import annotations

import os
from datetime import timedelta

from issues_testkit import NORTHFIELD, PHOTO_MAX_BYTES, RIVERSIDE

from hub_issues.adapters.photos import FILES
from hub_testkit.images import image_file, jpeg_with_gps, metadata_of, png_declaring
from hub_testkit.service_api import assert_problem, fields_of


async def uploaded(api, *files: bytes, sub: str = "res-1", role: str = "resident", hubs=()) -> list[str]:
    response = await api.upload(*files, headers=api.auth(role, sub, hubs))
    assert response.status_code == 201, response.text
    return [item["id"] for item in response.json()["items"]]


async def reported_with(api, photo_ids: list[str], sub: str = "res-1") -> dict:
    response = await api.report(photo_ids=photo_ids, headers=api.auth("resident", sub))
    assert response.status_code == 201, response.text
    return response.json()["issue"]


async def test_a_phone_jpeg_is_served_resized_with_no_exif_and_a_thumbnail(api) -> None:
    original = jpeg_with_gps(3000, 2000)
    assert metadata_of(original)["gps"]  # the test file does carry a GPS position
    [photo_id] = await uploaded(api, original)
    issue = await reported_with(api, [photo_id])
    [photo] = issue["photos"]
    assert photo["id"] == photo_id and photo["url"] == f"/v1/photos/{photo_id}"
    assert (photo["width"], photo["height"]) == (2048, 1365) and photo["content_type"] == "image/jpeg"
    assert "hidden" not in photo  # the public view

    served = await api.client.get(photo["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "public, max-age=300"
    found = metadata_of(served.content)
    assert found["exif"] == {} and found["gps"] == {} and found["info"] == []
    assert found["size"] == (2048, 1365)
    assert (await api.client.get(photo["url"], headers={"If-None-Match": served.headers["etag"]})).status_code == 304

    thumbnail = await api.client.get(photo["thumbnail_url"])
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    assert metadata_of(thumbnail.content)["size"] == (320, 213) and metadata_of(thumbnail.content)["exif"] == {}


async def test_png_and_webp_are_taken_and_served_in_their_format(api) -> None:
    ids = await uploaded(api, image_file("PNG"), image_file("WEBP"))
    issue = await reported_with(api, ids)
    assert [p["content_type"] for p in issue["photos"]] == ["image/png", "image/webp"]
    for photo, fmt in zip(issue["photos"], ("PNG", "WEBP"), strict=True):
        served = await api.client.get(photo["url"])
        assert served.headers["content-type"] == photo["content_type"]
        assert metadata_of(served.content)["format"] == fmt and metadata_of(served.content)["exif"] == {}


async def test_bad_files_are_refused_by_content_and_nothing_is_stored(api) -> None:
    good = jpeg_with_gps(400, 300)
    cases = [
        (b"I am a text file, whatever my name says", "unsupported_type"),
        (image_file("GIF"), "unsupported_type"),
        (b"\xff\xd8\xff" + os.urandom(PHOTO_MAX_BYTES), "too_large"),
        (png_declaring(8000, 8000), "too_many_pixels"),  # 64 megapixels in 60 bytes
        (png_declaring(100_000, 100_000), "too_many_pixels"),  # past Pillow's own bomb limit too
        (b"\xff\xd8\xff\xe0 truncated", "unreadable"),
    ]
    for bad, kind in cases:
        # The bad file second: the good one beside it is not stored either.
        response = await api.upload(good, bad, names=("fine.jpg", "photo.jpg"))
        problem = assert_problem(response, 422, "rule-violated")
        assert [(e["field"], e["type"]) for e in problem["errors"]] == [("photos[1]", kind)], kind
        assert await api.count(FILES) == 0

    four = assert_problem(await api.upload(good, good, good, good), 422, "rule-violated")
    assert fields_of(four) == {"photos"} and four["errors"][0]["type"] == "too_many"
    assert fields_of(assert_problem(await api.upload(), 422)) == {"photos"}
    too_big = b"\xff\xd8\xff" + b"0" * (3 * PHOTO_MAX_BYTES + 100_000)
    assert_problem(await api.upload(too_big), 413, "content-too-large")
    assert await api.count(FILES) == 0


async def test_who_may_upload_and_attach(api) -> None:
    photo = jpeg_with_gps(400, 300)
    assert_problem(await api.upload(photo, headers={}), 401)
    assert_problem(await api.upload(photo, headers=api.auth("privacy", "dpo-1")), 403)
    [theirs] = await uploaded(api, photo, sub="res-2")

    # Another resident's upload cannot be named; an anonymous report cannot name photos at all.
    refused = assert_problem(await api.report(photo_ids=[theirs]), 422, "rule-violated")
    assert [(e["field"], e["type"]) for e in refused["errors"]] == [("photo_ids[0]", "unknown")]
    contact = {"name": "Ann", "email": "ann@example.org"}
    assert fields_of(assert_problem(await api.report(headers={}, contact=contact, photo_ids=[theirs]), 422)) == {
        "photo_ids"
    }
    # Attached once only.
    await reported_with(api, [theirs], sub="res-2")
    again = assert_problem(await api.report(photo_ids=[theirs], headers=api.auth("resident", "res-2")), 422)
    assert again["errors"][0]["type"] == "attached"


async def test_an_upload_must_be_sent_in_time(api) -> None:
    [photo_id] = await uploaded(api, jpeg_with_gps(400, 300))
    later = api.ctx.clock() - timedelta(minutes=61)
    await api.db[FILES].update_many({"metadata.photo_id": photo_id}, {"$set": {"metadata.uploaded_at": later}})
    expired = assert_problem(await api.report(photo_ids=[photo_id]), 422)
    assert expired["errors"][0]["type"] == "expired"


async def test_staff_publish_photos_with_an_update_and_residents_cannot(api) -> None:
    issue = await reported_with(api, [])
    staff = api.staff()
    ids = await uploaded(api, jpeg_with_gps(400, 300), role="staff", sub="staff-1", hubs=(NORTHFIELD,))
    update = {"public_note": "Cleared; before and after", "photo_ids": ids}
    resident_ids = await uploaded(api, jpeg_with_gps(400, 300))
    refused = await api.client.post(
        f"/v1/issues/{issue['id']}/transitions",
        json={"action": "reopen", "public_note": "still there", "photo_ids": resident_ids},
        headers=api.auth("resident", "res-1"),
    )
    assert_problem(refused, 403)

    response = await api.client.post(f"/v1/issues/{issue['id']}/updates", json=update, headers=staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["id"] for p in body["photos"]] == ids and body["photos"][0]["added_by_role"] == "staff"
    assert body["history"][-1]["photo_ids"] == ids
    transition = {"action": "fix", "public_note": "Fixed", "photo_ids": ids}
    taken = await api.client.post(f"/v1/issues/{issue['id']}/transitions", json=transition, headers=staff)
    assert assert_problem(taken, 422)["errors"][0]["type"] == "attached"


async def test_hidden_photos_are_not_served_publicly_nor_in_media_url(api) -> None:
    first, second = await uploaded(api, jpeg_with_gps(400, 300), image_file("PNG"))
    issue = await reported_with(api, [first, second])
    open311 = await api.client.get(f"/open311/v2/requests/{issue['id']}.json")
    assert open311.json()[0]["media_url"] == f"http://hub.test/v1/photos/{first}"

    hide = {"reason": "shows a person's face"}
    assert_problem(await api.client.post(f"/v1/photos/{first}/hide", json=hide, headers=api.auth("resident")), 403)
    assert_problem(await api.client.post(f"/v1/photos/{first}/hide", json=hide, headers=api.staff(RIVERSIDE)), 403)
    hidden = await api.client.post(f"/v1/photos/{first}/hide", json=hide, headers=api.staff())
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["hidden"] is True and hidden.json()["hidden_reason"] == "shows a person's face"

    for path in (f"/v1/photos/{first}", f"/v1/photos/{first}/thumbnail"):
        assert_problem(await api.client.get(path), 404)
        for_staff = await api.client.get(path, headers=api.staff())  # staff still review what was hidden
        assert for_staff.status_code == 200 and for_staff.headers["cache-control"] == "private, no-store"
    public = (await api.client.get(f"/v1/issues/{issue['id']}")).json()
    assert [p["id"] for p in public["photos"]] == [second]
    staff_view = (await api.client.get(f"/v1/issues/{issue['id']}", headers=api.staff())).json()
    assert [p["hidden"] for p in staff_view["photos"]] == [True, False]
    listed = await api.client.get("/open311/v2/requests.json", params={"service_request_id": issue["id"]})
    assert listed.json()[0]["media_url"] == f"http://hub.test/v1/photos/{second}"
    xml = await api.client.get(f"/open311/v2/requests/{issue['id']}.xml")
    assert f"<media_url>http://hub.test/v1/photos/{second}</media_url>" in xml.text

    await api.client.post(f"/v1/photos/{second}/hide", json=hide, headers=api.staff())
    assert (await api.client.get(f"/open311/v2/requests/{issue['id']}.json")).json()[0]["media_url"] is None


async def test_a_retried_upload_answers_the_first_photos_and_stores_nothing_more(api) -> None:
    photo = jpeg_with_gps(400, 300)
    headers = {**api.auth("resident", "res-1"), "Idempotency-Key": "upload-1"}
    first = await api.upload(photo, headers=headers)
    again = await api.upload(photo, headers=headers)  # a new multipart boundary, the same file
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await api.count(FILES) == 2  # one photo and its thumbnail
    other = await api.upload(image_file("PNG"), headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")
    assert await api.count(FILES) == 2


async def test_the_sweep_removes_uploads_never_sent_and_keeps_attached_ones(api) -> None:
    [kept] = await uploaded(api, jpeg_with_gps(400, 300))
    [dropped] = await uploaded(api, jpeg_with_gps(400, 300))
    await reported_with(api, [kept])
    await api.db[FILES].update_many({"metadata.photo_id": kept}, {"$set": {"metadata.attached": False}})  # a lost mark

    removed = await api.use_cases.photos.remove_unattached(api.ctx.clock() + timedelta(minutes=1))
    assert removed == 1
    assert await api.count(FILES, **{"metadata.photo_id": dropped}) == 0
    assert await api.count(FILES, **{"metadata.photo_id": kept, "metadata.attached": True}) == 2
    assert (await api.client.get(f"/v1/photos/{kept}")).status_code == 200


async def test_erasure_unlinks_the_person_from_their_photos_and_the_export_lists_them(api) -> None:
    ids = await uploaded(api, jpeg_with_gps(400, 300), sub="res-9")
    issue = await reported_with(api, ids, sub="res-9")

    async def export(tx):
        return await api.use_cases.personal_data.export_people(["res-9"], tx)

    _receipt, exported = await api.ctx.uow.run(export)
    assert exported["reports"][0]["photos"] == [
        {"id": ids[0], "url": f"/v1/photos/{ids[0]}", "added_by_role": "resident", "hidden": False}
    ]

    async def erase(tx):
        return await api.use_cases.personal_data.erase_people(["res-9"], tx)

    receipt = await api.ctx.uow.run(erase)
    assert any(line.kind == "photos added to reports" and line.count == 1 for line in receipt)
    [doc] = await api.db["issues"].find({"_id": issue["id"]}).to_list()
    assert doc["photos"][0]["added_by"] is None and "res-9" not in str(doc)
    assert (await api.client.get(f"/v1/photos/{ids[0]}")).status_code == 200  # the public record stays
