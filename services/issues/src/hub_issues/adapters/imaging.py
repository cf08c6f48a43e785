"""Re-encoding an uploaded image with Pillow: checked by content, resized, every piece of metadata dropped.

Nothing of the uploaded file is served as it came: the pixels are decoded, turned upright (the
EXIF orientation), resized, copied into a new image that has no metadata at all (EXIF with its GPS
position, XMP, ICC profiles, PNG text chunks, comments), and encoded again in the same format.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from hub_issues.domain.photos import CONTENT_TYPES, PhotoLimits, PhotoRejected, check_pixels, check_size

PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
ENCODER_OPTIONS: dict[str, dict[str, object]] = {
    "jpeg": {"quality": 85, "optimize": True},
    "png": {},
    "webp": {"quality": 80},
}


@dataclass(frozen=True)
class ProcessedPhoto:
    content_type: str
    width: int
    height: int
    data: bytes
    thumbnail: bytes


def process(data: bytes, limits: PhotoLimits) -> ProcessedPhoto:
    """The photo to store and its thumbnail, or :class:`PhotoRejected` saying why the file is refused.
    CPU-bound: the service runs it in a thread."""
    found = check_size(data, limits)
    try:
        # Pillow warns, then fails, on images past its own pixel limit; ours is lower and comes first.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[found]]) as image:
                check_pixels(image.width, image.height, limits)  # read from the header, before decoding
                image.load()
                upright = ImageOps.exif_transpose(image)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected("too_many_pixels", f"the image is over {limits.max_pixels:,} pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRejected("unreadable", "the image cannot be read: it is damaged or not what it claims") from None
    clean = _without_metadata(upright, keep_alpha=found != "jpeg")
    clean.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS)
    thumbnail = clean.copy()
    thumbnail.thumbnail((limits.thumbnail_side, limits.thumbnail_side), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        content_type=CONTENT_TYPES[found],
        width=clean.width,
        height=clean.height,
        data=_encode(clean, found),
        thumbnail=_encode(thumbnail, found),
    )


def _without_metadata(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """The pixels alone, in a new image: ``info`` (where Pillow keeps EXIF, XMP, ICC and text) starts empty."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if keep_alpha and has_alpha else "RGB"
    pixels = image.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def _encode(image: Image.Image, found: str) -> bytes:
    out = io.BytesIO()
    image.save(out, PILLOW_FORMATS[found], **ENCODER_OPTIONS[found])
    return out.getvalue()
