"""MongoDB repositories (one per aggregate, the only code that touches the database) and the senders."""

from hub_notifications.adapters import (
    contacts,
    deliveries,
    hub_staff,
    issue_followers,
    messages,
    privacy,
    subscriptions,
)

INDEXES = (
    *contacts.INDEXES,
    *messages.INDEXES,
    *subscriptions.INDEXES,
    *deliveries.INDEXES,
    *hub_staff.INDEXES,
    *issue_followers.INDEXES,
    *privacy.INDEXES,
)
