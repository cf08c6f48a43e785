"""The pages' languages: the catalogues are complete and current, the language is chosen as people
expect (their switch, else their browser), and a resident's pages, messages and dates come in Welsh.
The services sit behind an httpx MockTransport here; the Welsh journey against the real services
and a real browser is in test_browser_journeys.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from web_testkit import ISSUE, csrf_of

from hub_web import i18n
from hub_web.web import when

WEB = Path(i18n.__file__).parents[2]  # web/
LOCALE = Path(i18n.__file__).parent / "locale"


def marked_words() -> set[str | tuple[str, str]]:
    """Every word marked in the code and templates now, as `make translations` collects them."""
    method_map = [("src/hub_web/**.py", "python"), ("src/hub_web/templates/**.html", "jinja2")]
    options = {"src/hub_web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True"}}
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map=options, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
    ):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


def test_the_template_catalogue_holds_every_marked_word_so_translators_see_them_all() -> None:
    with (LOCALE / "messages.pot").open("rb") as pot:
        catalogue = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(pot) if m.id}
    words = marked_words()
    assert {"Skip to main content", "Describe the problem", "Work in progress"} <= words  # templates, code, N_()
    missing = words - catalogue
    assert not missing, f"run `make translations`: not in messages.pot: {sorted(map(str, missing))[:5]}"


@pytest.mark.parametrize("language", [code for code in i18n.LANGUAGES if code != i18n.SOURCE])
def test_every_word_is_translated_and_keeps_its_placeholders(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=language)
    words = marked_words()
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"{language}: untranslated or fuzzy: {message.id!r}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert not problems, problems  # e.g. a %(name)s dropped or renamed in the translation
    assert {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue if m.id} >= words


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "en"),
        (None, "cy-GB,cy;q=0.9,en-GB;q=0.8", "cy"),
        (None, "en-GB,en;q=0.9,cy;q=0.8", "en"),
        (None, "fr-FR,cy;q=0.5", "cy"),  # the best of the browser's languages that we have
        (None, "cy;q=0,en;q=0.5", "en"),  # q=0: "not this one"
        (None, "de, *;q=0.1", "en"),
        (None, "cy;q=nonsense, en", "en"),
        ("en", "cy", "en"),  # the switch wins over the browser
        ("cy", "en", "cy"),
        ("xx", "cy", "cy"),  # a cookie we do not know is ignored
    ],
)
def test_the_language_is_the_switchs_then_the_browsers_then_english(
    cookie: str | None, header: str | None, expected: str
) -> None:
    assert i18n.choose(cookie, header) == expected


@pytest.mark.parametrize(
    ("back", "target"),
    [
        ("/issues?hub_id=hub-a", "/issues?hub_id=hub-a"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        (None, "/"),
    ],
)
def test_the_switch_only_returns_to_a_page_of_this_site(back: str | None, target: str) -> None:
    assert i18n.switch_target(back) == target


def test_dates_read_in_the_pages_language() -> None:
    moment = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert when(moment) == "Saturday 5 December 2026, 10:00"
    with i18n.speaking("cy"):
        assert when(moment) == "Dydd Sadwrn 5 Rhagfyr 2026, 10:00"
        assert when(moment, with_time=False) == "Dydd Sadwrn 5 Rhagfyr 2026"
    assert i18n.current() == "en"  # only within the block


async def test_a_welsh_browser_gets_welsh_pages_and_can_switch_to_english(make_client) -> None:
    async for client in make_client():
        page = await client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
        assert page.status_code == 200 and '<html lang="cy">' in page.text
        assert page.headers["content-language"] == "cy" and "Accept-Language" in page.headers["vary"]
        assert "Beth ydych chi am ei wneud?" in page.text and "What do you want to do?" not in page.text
        assert 'href="/language/en?back=/" lang="en" hreflang="en">English</a>' in page.text
        switched = await client.get("/language/en", params={"back": "/issues?hub_id=hub-a"})
        assert switched.status_code == 303 and switched.headers["location"] == "/issues?hub_id=hub-a"
        assert "hub_lang=en" in switched.headers["set-cookie"] and "httponly" in switched.headers["set-cookie"].lower()
        english = await client.get("/", headers={"Accept-Language": "cy"})
        assert '<html lang="en">' in english.text and "What do you want to do?" in english.text
        assert 'lang="cy" hreflang="cy">Cymraeg</a>' in english.text


async def test_an_unknown_language_is_not_found_and_sets_nothing(make_client) -> None:
    async for client in make_client():
        page = await client.get("/language/xx", params={"back": "/"})
        assert page.status_code == 404 and "hub_lang" not in page.headers.get("set-cookie", "")


async def test_a_welsh_residents_form_errors_and_status_words_are_in_welsh(make_client) -> None:
    async for client in make_client():
        await client.get("/language/cy")
        start = await client.get("/report")
        assert "Rhoi gwybod am broblem: cam 1 o 4" in start.text and "Ble mae&#39;r broblem?" in start.text
        refused = await client.post("/report", data={"step": "place", "csrf_token": csrf_of(start.text)})
        assert refused.status_code == 200 and "Mae problem" in refused.text
        assert "Rhowch y cyfeiriad neu disgrifiwch ble mae&#39;r broblem" in refused.text
        assert "<title>Gwall: Ble mae&#39;r broblem? - " in refused.text
        issue = await client.get("/issues/iss-1")
        assert "Y newyddion diweddaraf" in issue.text and "cyfeirnod iss-1" in issue.text


FLY_TIPPING = {
    "code": "fly_tipping", "name": "Fly-tipping", "group": "Street cleaning", "active": True,
    "description": "Rubbish dumped illegally on public land",
    "attributes": [{"code": "amount", "datatype": "singlevaluelist", "description": "How much is there?",
                    "required": True, "order": 1, "variable": True, "datatype_description": "",
                    "values": [{"key": "bag", "name": "A bag or two"}, {"key": "van", "name": "A van load or more"}]}],
    "translations": {"cy": {"name": "Tipio anghyfreithlon", "group": "Glanhau strydoedd",
                            "description": "Sbwriel wedi'i daflu'n anghyfreithlon ar dir cyhoeddus",
                            "questions": {"amount": "Faint sydd yno?"},
                            "choices": {"amount": {"bag": "Bag neu ddau"}}}},
}  # fmt: skip


async def test_a_welsh_resident_reads_the_hubs_categories_and_questions_in_welsh(make_client) -> None:
    """The category's words come from the hub's catalogue (the issues service keeps them per language);
    a choice left untranslated shows in English, and the answer sent back is the same key."""

    def services(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/hubs/hub-a/services":
            return httpx.Response(200, json={"items": [FLY_TIPPING], "next_cursor": None})
        if request.url.path == "/v1/issues/iss-1":
            return httpx.Response(200, json={**ISSUE, "service_name": "Fly-tipping"}, headers={"ETag": '"v1"'})
        return None

    async for client in make_client(services):
        await client.get("/language/cy")
        csrf = csrf_of((await client.get("/report")).text)
        choose = await client.post("/report", data={"csrf_token": csrf, "hub_id": "hub-a", "step": "category"})
        assert "Tipio anghyfreithlon" in choose.text, choose.text[-3000:]
        assert "Fly-tipping" not in choose.text and 'value="fly_tipping"' in choose.text  # the code stays
        answers = {"csrf_token": csrf, "hub_id": "hub-a", "service_code": "fly_tipping", "step": "category"}
        details = await client.post("/report", data=answers)
        assert "Faint sydd yno?" in details.text and "Bag neu ddau" in details.text
        assert "A van load or more" in details.text  # not translated by the hub: its own words
        assert 'value="bag"' in details.text

        issue = await client.get("/issues/iss-1")  # a report carries its category's name as reported
        assert "<h1>Tipio anghyfreithlon</h1>" in issue.text and "<title>Tipio anghyfreithlon: iss-1" in issue.text

        await client.get("/language/en")
        english = await client.get("/issues/iss-1")
        assert "<h1>Fly-tipping</h1>" in english.text
