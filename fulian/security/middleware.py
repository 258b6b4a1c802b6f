"""A value that fails decryption stops the request with a clear page, never garbage and never a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fulian.audit.services import audit_record
from fulian.security.crypto import DecryptionError

log = logging.getLogger(__name__)


class IntegrityErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DecryptionError):
            return None
        # The path only: ids in it are record numbers, never personal data.
        log.error("decryption failed on %s: %s", request.path, exception)
        with transaction.atomic():
            audit_record(
                action="data.integrity",
                outcome="failed",
                detail={"path": request.path[:200], "error": str(exception)[:200]},
            )
        return render(request, "security/integrity_error.html", status=409)
