"""The one write path for attachments: add, open, remove — access-checked and audited."""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404

from fulian.audit.services import audit_record
from fulian.files.inspect import inspect_upload
from fulian.files.models import Attachment
from fulian.security import crypto
from fulian.security.access import ScopedRecord, can, get_for_user


def _root() -> Path:
    return Path(settings.PRIVATE_FILES_DIR)


def _path(blob: str) -> Path:
    # Two levels keep directories small; the name is random hex, never derived from the file.
    return _root() / blob[:2] / blob


def _aad(blob: str) -> bytes:
    # Bound to its place: sealed bytes copied over another attachment's file do not open.
    return f"fulian_files.attachment:{blob}".encode()


def _write(blob: str, sealed: bytes) -> None:
    path = _path(blob)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".part")
    with open(temporary, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as out:
        out.write(sealed)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _delete(blob: str) -> None:
    _path(blob).unlink(missing_ok=True)


def attachment_add(*, actor: Any, record: ScopedRecord, filename: str, data: bytes) -> Attachment:
    """Check, seal and store an upload for a record the actor may edit."""
    if actor is not None and not can(actor, "edit", record):
        raise PermissionDenied
    name, media_type, data = inspect_upload(filename, data, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    ring = crypto.keyring()
    data_key = os.urandom(crypto.KEY_BYTES[ring.cipher])
    blob = secrets.token_hex(20)
    nonce = os.urandom(crypto.NONCE_BYTES)
    _write(blob, nonce + crypto._seal(ring.cipher, data_key, nonce, data, _aad(blob)))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                filename=name,
                media_type=media_type,
                size=len(data),
                blob=blob,
                data_key=base64.b64encode(data_key).decode(),
                cipher=ring.cipher,
                uploaded_by=actor,
            )
            audit_record(
                action="attachment.add",
                actor=actor,
                target=record,
                detail={"attachment": attachment.pk, "type": media_type, "size": len(data)},
            )
    except BaseException:
        _delete(blob)
        raise
    # If an enclosing transaction rolls back later, the sealed file has no row: the upkeep
    # sweep (`sweep_orphans`) removes it.
    return attachment


def attachment_for_user(user: Any, pk: Any, action: str = "view") -> Attachment:
    """The attachment, if the user may take `action` on the record it belongs to; else 404."""
    try:
        attachment = Attachment.objects.select_related("content_type").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    model = attachment.content_type.model_class()
    if model is None or not issubclass(model, ScopedRecord):
        raise Http404
    attachment.record = get_for_user(user, model, attachment.object_id, action, audit=False)
    # A record may narrow who sees its files further than its scope (a minor-protection case).
    narrower = getattr(attachment.record, "files_visible_to", None)
    if narrower is not None and not narrower(user):
        raise Http404
    return attachment


def attachment_read(*, actor: Any, attachment: Attachment) -> bytes:
    """The file's plain bytes. Fails loudly (DecryptionError) if the stored file was altered."""
    try:
        sealed = _path(attachment.blob).read_bytes()
    except FileNotFoundError:
        raise crypto.DecryptionError("the sealed file is missing") from None
    if len(sealed) < crypto.NONCE_BYTES + crypto.TAG_BYTES:
        raise crypto.DecryptionError("truncated file")
    from cryptography.exceptions import InvalidTag

    try:
        key = base64.b64decode(attachment.data_key, validate=True)
        data = crypto._open(
            attachment.cipher, key, sealed[: crypto.NONCE_BYTES], sealed[crypto.NONCE_BYTES :], _aad(attachment.blob)
        )
    except (InvalidTag, ValueError):
        raise crypto.DecryptionError("file authentication failed: altered, or not this attachment's key") from None
    with transaction.atomic():
        audit_record(
            action="attachment.download",
            actor=actor,
            target_type=attachment.content_type.app_label + "." + attachment.content_type.model,
            target_id=str(attachment.object_id),
            detail={"attachment": attachment.pk},
        )
    return data


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    record = attachment.record
    if actor is not None and not (isinstance(record, ScopedRecord) and can(actor, "edit", record)):
        raise PermissionDenied
    blob, pk = attachment.blob, attachment.pk
    attachment.delete()
    audit_record(action="attachment.remove", actor=actor, target=record, detail={"attachment": pk})
    transaction.on_commit(lambda: _delete(blob))


def attachments_of(record: models.Model) -> models.QuerySet[Attachment]:
    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)


def sweep_orphans(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Remove sealed files that no row names (an upload whose transaction rolled back)."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for directory in root.iterdir():
        if not directory.is_dir():
            continue
        candidates = {p.name: p for p in directory.iterdir() if p.stat().st_mtime < cutoff}
        if not candidates:
            continue
        known = set(Attachment.objects.filter(blob__in=candidates).values_list("blob", flat=True))
        for name, path in candidates.items():
            if name not in known:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
