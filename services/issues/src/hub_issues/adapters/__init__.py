"""Repositories of the issues service (the only code that touches MongoDB) and the indexes they need."""

from hub_common.mongo import IndexSpec
from hub_issues.adapters import assets, categories, gazetteer, hubs, issues, outcomes, photos

INDEXES: tuple[IndexSpec, ...] = (
    *hubs.INDEXES,
    *categories.INDEXES,
    *issues.INDEXES,
    *assets.INDEXES,
    *photos.INDEXES,
    *gazetteer.INDEXES,
    *outcomes.INDEXES,
)
