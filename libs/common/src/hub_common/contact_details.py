"""Contact details a person leaves with a request (to hear about it), before they go to ``hub.contacts``.

A service never stores them: it publishes them for notifications and keeps an opaque person id.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str = "en"  # the language they asked in: their messages come in it where a template has it

    @property
    def reachable(self) -> bool:
        return bool(self.email or self.phone)
