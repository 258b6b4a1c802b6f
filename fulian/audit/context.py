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
    # The same rule as view counting: forwarded addresses are believed only from TRUSTED_PROXIES,
    # so nobody can choose the address their failed logins are counted and audited under.
    from fulian.counters.visitors import client_address

    return client_address(request.META)[:45]


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(RequestContext(user=getattr(request, "user", None), ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
