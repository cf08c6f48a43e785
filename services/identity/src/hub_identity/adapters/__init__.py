"""Repositories of the identity service (the only code that touches MongoDB) and the indexes they need."""

from hub_common.mongo import IndexSpec
from hub_identity.adapters import keys, partners

INDEXES: tuple[IndexSpec, ...] = (*keys.INDEXES, *partners.INDEXES)
