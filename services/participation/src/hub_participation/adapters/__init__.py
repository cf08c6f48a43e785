"""Repositories of the participation service (the only code that touches MongoDB) and the indexes they need."""

from hub_common.mongo import IndexSpec
from hub_participation.adapters import (
    hubs,
    ideas,
    meetings,
    panel,
    partner_messages,
    pb_ballots,
    pb_rounds,
    priorities,
    satisfaction,
    sign_in_links,
    surveys,
)

INDEXES: tuple[IndexSpec, ...] = (
    *hubs.INDEXES,
    *ideas.INDEXES,
    *meetings.INDEXES,
    *surveys.INDEXES,
    *panel.INDEXES,
    *satisfaction.INDEXES,
    *priorities.INDEXES,
    *pb_rounds.INDEXES,
    *pb_ballots.INDEXES,
    *partner_messages.INDEXES,
    *sign_in_links.INDEXES,
)
