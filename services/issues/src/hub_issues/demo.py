"""Demo data for ``make run``: the two shared demo hubs and a realistic catalogue in each.

Idempotent: existing hubs and categories are left as they are (staff may have edited them).
"""

from __future__ import annotations

from hub_common import demo
from hub_common.contracts.common import GeoPoint
from hub_common.service import ServiceContext
from hub_issues.domain.catalogue import Attribute, AttributeValue, Category, CategoryWording
from hub_issues.domain.hub import Hub
from hub_issues.domain.places import Place
from hub_issues.service import UseCases
from hub_issues.settings import IssuesSettings

YES_NO = (AttributeValue("yes", "Yes"), AttributeValue("no", "No"))
IS_IT = {"yes": "Ydy", "no": "Nac ydy"}  # Welsh answers yes and no with the question's verb
COULD = {"yes": "Gallai", "no": "Na allai"}

# The catalogue in Welsh, for residents reporting in Welsh (the web app's second language).
WELSH: dict[str, CategoryWording] = {
    "litter": CategoryWording(
        "Sbwriel", "Sbwriel, biniau sbwriel gorlawn neu wedi'u difrodi", "Glanhau strydoedd",
        {"bin_overflowing": "A yw bin sbwriel yn gorlifo?"}, {"bin_overflowing": IS_IT},
    ),
    "fly_tipping": CategoryWording(
        "Tipio anghyfreithlon", "Sbwriel wedi'i daflu'n anghyfreithlon ar dir cyhoeddus", "Glanhau strydoedd",
        {"waste_type": "Beth sydd wedi'i daflu?", "amount": "Faint sydd yno?",
         "seen_at": "Pryd welsoch chi'r sbwriel yn cael ei daflu (os gwnaethoch)?"},
        {"waste_type": {"household": "Gwastraff cartref", "furniture": "Dodrefn neu fatresi",
                        "builders": "Rwbel adeiladwyr", "hazardous": "Asbestos, cemegion neu nodwyddau"},
         "amount": {"bag": "Bag neu ddau", "car": "Llond cist car", "van": "Llond fan neu fwy"}},
    ),
    "street_light": CategoryWording(
        "Golau stryd wedi torri", "Golau stryd nad yw'n gweithio, sy'n fflachio neu sydd ymlaen yn ystod y dydd",
        "Ffyrdd a goleuadau",
        {"column_number": "Rhif ar y postyn lamp (os gallwch ei weld)", "fault": "Beth sy'n bod?"},
        {"fault": {"out": "Ddim yn gweithio", "flickering": "Yn fflachio", "day_burning": "Ymlaen yn ystod y dydd",
                   "damaged": "Wedi'i ddifrodi neu'n gwyro"}},
    ),
    "graffiti": CategoryWording(
        "Graffiti", "Graffiti ar eiddo cyhoeddus", "Glanhau strydoedd",
        {"offensive": "A yw'n sarhaus?", "area_m2": "Tua faint o fetrau sgwâr?"}, {"offensive": IS_IT},
    ),
    "damaged_bench": CategoryWording(
        "Mainc wedi'i difrodi", "Mainc gyhoeddus wedi torri neu wedi'i fandaleiddio", "Parciau a mannau agored",
        {"dangerous": "A allai rhywun gael ei anafu?"}, {"dangerous": COULD},
    ),
    "pothole": CategoryWording(
        "Twll yn y ffordd", "Twll yn y ffordd neu wyneb ffordd wedi torri", "Ffyrdd a goleuadau",
        {"depth_cm": "Tua pha mor ddwfn, mewn centimetrau?"},
    ),
    "dog_fouling": CategoryWording("Baw cŵn", "Baw cŵn ar lwybrau neu mewn parciau", "Glanhau strydoedd"),
    "overgrown_vegetation": CategoryWording(
        "Coed a gwrychoedd wedi gordyfu", "Canghennau neu wrychoedd yn rhwystro llwybrau, arwyddion neu oleuadau",
        "Parciau a mannau agored", {"details": "Beth sy'n cael ei rwystro?"},
    ),
}  # fmt: skip


def catalogue(hub_id: str) -> list[Category]:
    def cat(code, name, group, hours, description, keywords, *attributes) -> Category:
        words = {"cy": WELSH[code]}
        return Category(hub_id, code, name, description, group, tuple(keywords), hours, tuple(attributes), True,
                        translations=words)  # fmt: skip

    return [
        cat(
            "litter",
            "Litter",
            "Street cleaning",
            72,
            "Litter, overflowing or damaged litter bins",
            ["rubbish", "bin", "waste"],
            Attribute("bin_overflowing", "singlevaluelist", "Is a litter bin overflowing?", False, 1, values=YES_NO),
        ),
        cat(
            "fly_tipping",
            "Fly-tipping",
            "Street cleaning",
            48,
            "Rubbish dumped illegally on public land",
            ["dumping", "dumped", "waste", "mattress"],
            Attribute(
                "waste_type",
                "multivaluelist",
                "What has been dumped?",
                True,
                1,
                values=(
                    AttributeValue("household", "Household waste"),
                    AttributeValue("furniture", "Furniture or mattresses"),
                    AttributeValue("builders", "Builders' rubble"),
                    AttributeValue("hazardous", "Asbestos, chemicals or needles"),
                ),
            ),
            Attribute(
                "amount",
                "singlevaluelist",
                "How much is there?",
                True,
                2,
                values=(
                    AttributeValue("bag", "A bag or two"),
                    AttributeValue("car", "A car boot load"),
                    AttributeValue("van", "A van load or more"),
                ),
            ),
            Attribute("seen_at", "datetime", "When did you see it dumped (if you did)?", False, 3),
        ),
        cat(
            "street_light",
            "Broken street light",
            "Roads and lighting",
            120,
            "A street light that is out, flickering or on during the day",
            ["lamp", "lighting", "dark"],
            Attribute("column_number", "string", "Number on the lamp post (if you can see it)", False, 1),
            Attribute(
                "fault",
                "singlevaluelist",
                "What is wrong?",
                True,
                2,
                values=(
                    AttributeValue("out", "Not working"),
                    AttributeValue("flickering", "Flickering"),
                    AttributeValue("day_burning", "On during the day"),
                    AttributeValue("damaged", "Damaged or leaning"),
                ),
            ),
        ),
        cat(
            "graffiti",
            "Graffiti",
            "Street cleaning",
            168,
            "Graffiti on public property",
            ["tagging", "vandalism", "paint"],
            Attribute("offensive", "singlevaluelist", "Is it offensive?", True, 1, values=YES_NO),
            Attribute("area_m2", "number", "Roughly how many square metres?", False, 2),
        ),
        cat(
            "damaged_bench",
            "Damaged bench",
            "Parks and open spaces",
            240,
            "A broken or vandalised public bench",
            ["seat", "park", "furniture"],
            Attribute("dangerous", "singlevaluelist", "Could someone get hurt?", True, 1, values=YES_NO),
        ),
        cat(
            "pothole",
            "Pothole",
            "Roads and lighting",
            168,
            "A pothole or broken road surface",
            ["road", "surface", "hole"],
            Attribute("depth_cm", "number", "Roughly how deep, in centimetres?", False, 1),
        ),
        cat(
            "dog_fouling",
            "Dog fouling",
            "Street cleaning",
            72,
            "Dog mess on paths or in parks",
            ["dog", "mess", "poo"],
        ),
        cat(
            "overgrown_vegetation",
            "Overgrown trees and hedges",
            "Parks and open spaces",
            336,
            "Branches or hedges blocking paths, signs or lights",
            ["tree", "hedge", "branches"],
            Attribute("details", "text", "What is blocked?", False, 1),
        ),
    ]


# The demo hubs' streets, landmarks and postcodes (invented), so that address search works offline.
GAZETTEER = [
    Place(name="High Street, Northfield", kind="street", lat=53.8151, lon=-1.5502),
    Place(name="Green Lane, Northfield", kind="street", lat=53.8172, lon=-1.5431),
    Place(name="Northfield Community Centre, 1 Green Lane", kind="landmark", lat=53.8150, lon=-1.5500),
    Place(name="Northfield Park", kind="landmark", lat=53.8221, lon=-1.5610),
    Place(name="NF1 1AA", kind="postcode", lat=53.8149, lon=-1.5497),
    Place(name="NF1 2AB", kind="postcode", lat=53.8210, lon=-1.5620),
    Place(name="Mill Road, Riverside", kind="street", lat=53.7861, lon=-1.5522),
    Place(name="Riverside Library, Mill Road", kind="landmark", lat=53.7850, lon=-1.5500),
    Place(name="Riverside Playing Fields", kind="landmark", lat=53.7790, lon=-1.5400),
    Place(name="RS2 3BB", kind="postcode", lat=53.7852, lon=-1.5503),
]


async def seed_demo_data(ctx: ServiceContext[IssuesSettings]) -> None:
    use_cases: UseCases = ctx.components.use_cases
    now = ctx.clock()
    hubs = [
        Hub(
            id=hub["id"],
            name=hub["name"],
            boundary=hub["boundary"],
            centre=GeoPoint(**hub["centre"]),
            is_default=hub["id"] == demo.DEFAULT_HUB_ID,
            created_at=now,
            updated_at=now,
        )
        for hub in demo.HUBS
    ]
    await use_cases.hubs.add_missing(hubs)
    await use_cases.catalogue.add_missing([c.added(now) for hub in demo.HUBS for c in catalogue(hub["id"])])
    await use_cases.places.add_known(GAZETTEER)
