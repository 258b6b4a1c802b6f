"""What an upload really is: the type comes from its bytes, and must match its name.

Only the kinds casework needs are accepted (PDF, JPEG, PNG, Word and Excel documents, plain
text). Photos are re-encoded without their metadata: a phone photo's EXIF holds where it was
taken, which for a victim's photo is her address.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
}
ALLOWED = "PDF、JPG、PNG、Word（.docx）、Excel（.xlsx）、TXT"


def clean_filename(name: str) -> str:
    # Browsers may send a path; keep the last part, without control characters.
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def _sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return ""
        if "word/document.xml" in names:
            return KINDS[".docx"]
        if "xl/workbook.xml" in names:
            return KINDS[".xlsx"]
        return ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return "text/plain" if "\x00" not in text else ""


def _strip_image_metadata(data: bytes, media_type: str) -> bytes:
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            # Keep how the photo looks (orientation), drop what it says (EXIF, GPS, comments).
            upright = ImageOps.exif_transpose(image) or image
            out = io.BytesIO()
            if media_type == "image/jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=92)
            else:
                upright.save(out, "PNG")
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("图片已损坏或过大，无法打开。"), code="image") from None


def inspect_upload(filename: str, data: bytes, *, max_bytes: int) -> tuple[str, str, bytes]:
    """Return (clean name, media type, bytes to store) or raise ValidationError in Chinese."""
    name = clean_filename(filename)
    if not name:
        raise ValidationError(_("文件名无效。"), code="name")
    if not data:
        raise ValidationError(_("文件是空的。"), code="empty")
    if len(data) > max_bytes:
        raise ValidationError(_("文件太大：最大 %(mb)s MB。") % {"mb": max_bytes // (1024 * 1024)}, code="size")
    extension = PurePath(name).suffix.lower()
    expected = KINDS.get(extension)
    if expected is None:
        raise ValidationError(_("不支持这种文件。可以上传：%(kinds)s。") % {"kinds": ALLOWED}, code="kind")
    if _sniff(data) != expected:
        raise ValidationError(
            _("文件内容与扩展名“%(ext)s”不符，可能已损坏或被改名。") % {"ext": extension}, code="mismatch"
        )
    if expected.startswith("image/"):
        data = _strip_image_metadata(data, expected)
    return name, expected, data
