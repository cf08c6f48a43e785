"""Events published by the volunteers service (``hub.volunteers.events``)."""
