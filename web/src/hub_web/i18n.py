"""The pages' languages: English, the words written in the templates and code, and Welsh.

Words people read are marked where they are written: ``_("...")`` in templates and code, ``N_("...")``
for words kept in a table and translated where they are shown. ``make translations`` collects them
into ``locale/messages.pot`` and merges them into each language's ``messages.po``, which translators
edit. The ``.po`` files are compiled in memory when the app starts, so no compiled ``.mo`` file is
kept in the tree or can fall behind its source.

A request's language is the one the person chose with the switch in the header (a cookie), else the
first of their browser's languages that we have, else English; it is held in a context variable for
the request, so a form check deep in the code speaks the page's language without being passed it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import negotiate_locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = {"en": "English", "cy": "Cymraeg"}  # each in its own name, as the switch shows it
SOURCE = "en"  # the language the words are written in: it needs no catalogue
COOKIE = "hub_lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
LOCALE_DIR = Path(__file__).parent / "locale"
# Babel's names for the locales whose month and day names we use (en_GB: "Saturday 6 December").
DATE_LOCALES = {"en": "en_GB", "cy": "cy"}


def load_catalogue(language: str, folder: Path = LOCALE_DIR) -> NullTranslations:
    """A language's translations, compiled from its .po file (fuzzy entries left out: unchecked)."""
    with (folder / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


CATALOGUES: dict[str, NullTranslations] = {
    SOURCE: NullTranslations(),
    **{language: load_catalogue(language) for language in LANGUAGES if language != SOURCE},
}
_language: ContextVar[str] = ContextVar("hub_web_language", default=SOURCE)


def current() -> str:
    return _language.get()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Words translated into ``language`` within the block (a request, a test)."""
    token = _language.set(language if language in LANGUAGES else SOURCE)
    try:
        yield
    finally:
        _language.reset(token)


def translate(message: str) -> str:
    """The message in the current language (itself when not translated): what templates call."""
    return CATALOGUES[_language.get()].gettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return CATALOGUES[_language.get()].ngettext(singular, plural, n)


def _(message: str, **values: object) -> str:
    """The message in the current language, with ``%(name)s`` placeholders filled from ``values``
    (placeholders, not f-strings, so the translator sees one sentence and may reorder it)."""
    return translate(message) % values  # always formatted, as Jinja's newstyle gettext does: "%%" for a "%"


def N_(message: str) -> str:
    """Marks words for the catalogue where they are defined; ``_()`` translates them where shown."""
    return message


def localised_category(category: dict[str, Any]) -> dict[str, Any]:
    """A category as the issues service gives it, in the page's language: its translation's words
    (name, description, group, questions, choices) over its own, where the hub gave them. Codes
    and keys stay as they are, so the answers sent back are the same in every language."""
    words = (category.get("translations") or {}).get(_language.get())
    if not words:
        return category
    questions, choices = words.get("questions", {}), words.get("choices", {})
    attributes = [
        a
        | {"description": questions.get(a["code"], a["description"])}
        | {"values": [v | {"name": choices.get(a["code"], {}).get(v["key"], v["name"])} for v in a.get("values", [])]}
        for a in category.get("attributes", [])
    ]
    return category | {
        "name": words.get("name") or category["name"],
        "description": words.get("description") or category.get("description", ""),
        "group": words.get("group") or category.get("group", ""),
        "attributes": attributes,
    }


def local_datetime(moment: datetime, *, with_time: bool) -> str:
    """'Saturday 6 December 2026, 10:00' / 'Dydd Sadwrn 6 Rhagfyr 2026, 10:00' (``moment`` is local)."""
    pattern = "EEEE d MMMM y, HH:mm" if with_time else "EEEE d MMMM y"
    return format_datetime(moment, pattern, locale=DATE_LOCALES[_language.get()])


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The request's language: the switch's choice, else the browser's best that we have, else English."""
    if cookie in LANGUAGES:
        return cookie
    return negotiate_locale(preferred(accept_language or ""), list(LANGUAGES), sep="-") or SOURCE


def preferred(accept_language: str) -> list[str]:
    """An Accept-Language header's languages, most wanted first ("cy-GB,cy;q=0.9,en;q=0.8")."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        name, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if name and name != "*" and quality > 0:
            ranked.append((-quality, position, name.strip()))
    return [name for _q, _p, name in sorted(ranked)]


def switch_target(back: str | None) -> str:
    """Where the language switch returns to: a page of this site only (never another site's address)."""
    if not back or not back.startswith("/") or back.startswith("//") or "\\" in back:
        return "/"
    return back
