"""Who is acting, and from where: set once per request, read by audit writes deep in services."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    user: Any = None
    ip: str = ""


NOBODY = RequestContext()  # frozen: safe to share as the default
current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("audit_context", default=NOBODY)


def client_ip(request: HttpRequest) -> str:
    # Behind the deployment's nginx, which sets X-Real-IP; direct connections use the socket address.
    return (request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or "")[:45]


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(RequestContext(user=getattr(request, "user", None), ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
