"""MongoDB storage of the assets service: one module per aggregate, each with its INDEXES."""

from hub_assets.adapters import acv, assets, bookings, loans, maintenance

INDEXES = (*assets.INDEXES, *bookings.INDEXES, *loans.INDEXES, *maintenance.INDEXES, *acv.INDEXES)
