"""Image files for upload tests: a camera-like JPEG carrying GPS EXIF, other formats, and hostile files
(a decompression bomb: a tiny file declaring a huge image)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image, ImageDraw

GPS_IFD = ExifTags.IFD.GPSInfo
# What Pillow's decoders note about a file's encoding itself, which is not metadata about the picture.
DECODER_INFO = ("dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density", "background", "loop")


def jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    """A JPEG as a phone takes it: camera model, date and the GPS position in its EXIF."""
    image = _street_scene(width, height)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.DateTime] = "2026:11:20 14:30:00"
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 48.0, 54.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 33.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def _street_scene(width: int, height: int) -> Image.Image:
    """Something that looks like a photo of the problem (sky, pavement, bags), for the screenshots."""
    image = Image.new("RGB", (width, height), (150, 190, 225))
    draw = ImageDraw.Draw(image)
    horizon = height * 2 // 5
    draw.rectangle((0, horizon, width, height), fill=(120, 124, 128))
    draw.rectangle((0, horizon - height // 8, width, horizon), fill=(70, 120, 60))  # a hedge
    for i, colour in enumerate(((30, 30, 35), (40, 40, 90), (25, 25, 25))):
        left = width * (2 + 2 * i) // 10
        draw.ellipse((left, height * 3 // 5, left + width // 6, height * 4 // 5), fill=colour)
    return image


def image_file(fmt: str, width: int = 400, height: int = 300) -> bytes:
    """A plain image in ``fmt`` (``PNG``, ``WEBP``, ``GIF``...)."""
    out = io.BytesIO()
    Image.new("RGBA" if fmt in ("PNG", "WEBP") else "RGB", (width, height), (20, 120, 60, 255)).save(out, fmt)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few bytes whose header declares ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def metadata_of(data: bytes) -> dict[str, object]:
    """What a file carries besides its pixels: EXIF tags (GPS among them) and Pillow's ``info`` keys."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {
            "exif": dict(exif),
            "gps": dict(exif.get_ifd(GPS_IFD)),
            "info": sorted(k for k in image.info if k not in DECODER_INFO),
            "size": image.size,
            "format": image.format,
        }
