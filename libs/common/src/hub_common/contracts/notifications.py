"""Events published by the notifications service (``hub.notifications.events``)."""
