"""Photos sent with testimony: type by magic bytes, decoded by Pillow and
re-encoded from pixels alone, so no EXIF (GPS, camera serial, time), XMP,
IPTC, ICC profile or comment survives. Everything happens in memory.

- Accepted: JPEG, PNG, WebP, recognised by their first bytes (the file
  name and the browser's content type are ignored). Anything else, or a
  file Pillow cannot decode, is refused with a message.
- At most `MAX_PIXELS` pixels (decompression bombs: a small file that
  decodes to gigabytes); Pillow's own guard is set to the same number.
- EXIF orientation is applied first (the photo looks the way it was taken),
  then the picture is scaled down to at most `MAX_SIDE` pixels on its long
  side and saved fresh: JPEG stays JPEG, PNG stays PNG, WebP stays WebP.
  Animated images keep their first frame only.
"""
from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000
MAX_SIDE = 4096
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


class ImageRefused(ValueError):
    """`reason` is a key of `REASONS` (the form shows it in the reader's language)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanImage:
    media_type: str
    extension: str
    width: int
    height: int
    data: bytes


def sniff(data: bytes) -> str | None:
    """'JPEG', 'PNG' or 'WEBP' from the first bytes, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean(data: bytes) -> CleanImage:
    """The photo without metadata; ImageRefused('type' | 'broken' | 'too_many_pixels')."""
    kind = sniff(data)
    if kind is None:
        raise ImageRefused("type")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as img:
                if img.format != kind:
                    raise ImageRefused("type")
                width, height = img.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise ImageRefused("too_many_pixels")
                if kind == "JPEG":
                    img.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode big JPEGs at a reduced scale
                img.load()
                pixels = _pixels(img)
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        raise ImageRefused("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, MemoryError, struct.error):
        raise ImageRefused("broken") from None
    except Exception:  # a decoder tripped over a crafted file: still just a picture we cannot open
        raise ImageRefused("broken") from None
    out = io.BytesIO()
    if kind == "JPEG":
        pixels.save(out, "JPEG", quality=90, optimize=True)
    elif kind == "PNG":
        pixels.save(out, "PNG", optimize=False)
    else:
        pixels.save(out, "WEBP", quality=90)
    media_type, extension = FORMATS[kind]
    return CleanImage(media_type, extension, pixels.width, pixels.height, out.getvalue())


def _pixels(img: Image.Image) -> Image.Image:
    """A new image holding only the (upright, scaled) pixels: no info dict,
    no EXIF, no palette tricks."""
    if getattr(img, "is_animated", False):
        img.seek(0)
    upright = ImageOps.exif_transpose(img) or img
    alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in upright.info
    if img.format == "JPEG":
        mode = "L" if upright.mode in ("L", "1", "I;16", "I", "F") else "RGB"
    else:
        mode = "RGBA" if alpha else ("L" if upright.mode in ("L", "1") else "RGB")
    converted = upright.convert(mode)
    if max(converted.size) > MAX_SIDE:
        converted.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return Image.frombytes(mode, converted.size, converted.tobytes())
