"""Checking in at a shift with a QR code: the signed, short-lived code staff show, and its picture.

The QR code encodes a web address, ``/volunteer/check-in/<code>``, that names the shift and nothing
else: whom it checks in is the signed-in volunteer of the browser that opens it (the volunteers
service checks in the caller's own sign-up), so the address cannot check in anyone else.

The code is signed by this app (itsdangerous, its own salt on the session key) and carries the time
it was made, and it is accepted for ``CODE_MINUTES`` only. A photo of last week's code, or one sent
round a group chat from the door an hour ago, no longer works: the code stands for "was at the shift
just now". The staff pages make a new code on every load and swap in a fresh one well inside that
time (hub.js; without script, staff reload the page), so a volunteer scanning it always gets a live
one. The volunteers service refuses a check-in outside the shift's window (from an hour before it
starts until it ends) whatever the code.
"""

from __future__ import annotations

from datetime import timedelta

import segno
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup

CODE_MINUTES = 15
RENEW_S = 240  # the pages swap in a new code this often, well before the one shown expires
CODE_SALT = "hub-web-shift-check-in"


class CheckInCodes:
    def __init__(self, key: str, lifetime: timedelta = timedelta(minutes=CODE_MINUTES)) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt=CODE_SALT)
        self.lifetime = lifetime

    def make(self, shift_id: str) -> str:
        return self._serializer.dumps(shift_id)

    def shift_of(self, code: str) -> str | None:
        """The shift the code is for, or None when it is forged, garbled or older than its lifetime."""
        try:
            shift_id = self._serializer.loads(code, max_age=self.lifetime.total_seconds())
        except (SignatureExpired, BadSignature):
            return None
        return shift_id if isinstance(shift_id, str) else None


def qr_svg(url: str, label: str) -> Markup:
    """The QR code of ``url`` as inline SVG (sized by CSS through its viewBox), with a text alternative.

    Error correction "M" survives a smudged or glaring tablet screen; the light background is drawn
    so it scans on any page colour; segno escapes the title it writes.
    """
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(dark="#0b0c0c", light="#ffffff", omitsize=True, title=label, svgclass="qr-code")
    # Safe as markup: segno wrote every byte of it from the URL and escaped the title (the label).
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - named by its <title>
