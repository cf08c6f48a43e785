"""Welsh (Cymraeg) texts of the messages residents get about the problems they report.

The web app's resident pages are in English and Welsh, and a report made in Welsh carries the
resident's language on their contact details; these defaults answer them in it. Message types
without a Welsh text here go in English (the templates' fallback), as do the words the events
themselves carry (a category's name, a staff member's note). Staff may edit these like any default.
"""

from __future__ import annotations

from hub_notifications.domain.templates import Template

LANGUAGE = "cy"


def _welsh(message_type: str, subject: str, email_body: str, inapp_body: str) -> list[Template]:
    return [
        Template(
            message_type, "email", LANGUAGE, subject, "Helo {display_name},\n\n" + email_body + "\n\nEich hyb cymunedol"
        ),
        Template(message_type, "inapp", LANGUAGE, subject, inapp_body),
    ]


WELSH_TEMPLATES: tuple[Template, ...] = (
    *_welsh(
        "resident_sign_in_link",
        "Eich dolen i fewngofnodi",
        "Dyma'r ddolen y gofynnoch amdani. Mae'n eich mewngofnodi gyda'r cyfeiriad e-bost hwn, fel y gallwch "
        "bleidleisio neu ateb unwaith, o unrhyw ddyfais, ac mae'n gweithio am awr:\n\n{link}\n\nOs na "
        "wnaethoch ofyn amdani, gallwch anwybyddu'r e-bost hwn.",
        "Gofynnoch am ddolen i fewngofnodi. Rydym wedi'i hanfon atoch drwy e-bost.",
    ),
    *_welsh(
        "issue_acknowledgement",
        "Mae eich adroddiad gennym: {service_name}",
        "Diolch am roi gwybod i ni am broblem ({service_name}). Eich cyfeirnod yw {issue_id}.\n\n"
        "Byddwn yn edrych arni ac yn dweud wrthych beth rydym yn ei wneud amdani. Gallwch ei dilyn, a gofyn "
        "i ni anghofio eich manylion, yma:\n\n{link}",
        "Diolch am roi gwybod am broblem ({service_name}). Eich cyfeirnod yw {issue_id}.",
    ),
    *_welsh(
        "issue_fixed",
        "Wedi'i datrys: {service_name}",
        "Mae'r broblem y rhoesoch wybod amdani neu y gwnaethoch ei chefnogi ({service_name}, cyfeirnod "
        "{issue_id}) wedi'i datrys.\n\n{public_note}\n\nOs nad yw wedi'i datrys, gallwch ei hailagor.",
        "Wedi'i datrys: {service_name} ({issue_id}). {public_note}",
    ),
    *_welsh(
        "issue_merged",
        "Mae eich adroddiad yn cael ei drin gydag un arall",
        "Rhoddodd eraill wybod hefyd am y broblem y rhoesoch wybod amdani neu y gwnaethoch ei chefnogi "
        "({service_name}, cyfeirnod {issue_id}). Rydym yn eu trin gyda'i gilydd fel {duplicate_of}, a "
        "byddwch yn clywed am honno.",
        "Mae eich adroddiad {issue_id} bellach yn cael ei drin gyda {duplicate_of}.",
    ),
    *_welsh(
        "issue_update",
        "Newyddion am {issue_id}",
        "Mae newyddion am broblem y rhoesoch wybod amdani neu y gwnaethoch ei chefnogi (cyfeirnod "
        "{issue_id}):\n\n{public_note}",
        "Newyddion am {issue_id}: {public_note}",
    ),
)
