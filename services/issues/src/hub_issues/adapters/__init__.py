"""Repositories of the issues service (the only code that touches MongoDB) and the indexes they need."""

from hub_common.mongo import IndexSpec
from hub_issues.adapters import assets, categories, forum_actions, funded_projects, gazetteer, hubs, issues, photos

INDEXES: tuple[IndexSpec, ...] = (
    *hubs.INDEXES,
    *categories.INDEXES,
    *issues.INDEXES,
    *assets.INDEXES,
    *photos.INDEXES,
    *gazetteer.INDEXES,
    *forum_actions.INDEXES,
    *funded_projects.INDEXES,
)
