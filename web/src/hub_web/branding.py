"""Colours: WCAG contrast arithmetic, so a configured hub colour is refused if white text on it is hard to read."""

from __future__ import annotations

import re

DEFAULT_HUB_COLOUR = "#1d4f91"  # 8.5:1 with white
HEX = re.compile(r"^#([0-9a-fA-F]{6})$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    match = HEX.match(colour)
    if not match:
        raise ValueError(f"{colour!r} is not a #rrggbb colour")
    digits = match.group(1)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
