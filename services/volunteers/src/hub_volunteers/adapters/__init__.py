"""MongoDB storage of the volunteers service: one repository per aggregate, each module with its
collection's ``INDEXES`` and the list queries they serve.

List indexes end with ``_id`` because cursor pages sort by it last, so pages need no in-memory sort.
"""

from hub_common.mongo import IndexSpec
from hub_volunteers.adapters import awards, hours, roles, shifts, signups, skills, venues, volunteers

INDEXES: tuple[IndexSpec, ...] = (
    *volunteers.INDEXES,
    *skills.INDEXES,
    *roles.INDEXES,
    *shifts.INDEXES,
    *signups.INDEXES,
    *hours.INDEXES,
    *awards.INDEXES,
    *venues.INDEXES,
)
