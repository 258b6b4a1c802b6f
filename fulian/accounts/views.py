"""The security administrator's screen of locked accounts and addresses, with unlock."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.accounts import lockout
from fulian.accounts.models import LoginLock

PERMISSION = "fulian_accounts.unlock_account"


def lock_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    locks = LoginLock.objects.filter(locked_until__gt=timezone.now()).order_by("-locked_until")
    return render(request, "accounts/lock_list.html", {"locks": locks})


@require_POST
def lock_release(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    lock = get_object_or_404(LoginLock, pk=pk)
    lockout.unlock(actor=request.user, lock=lock)
    messages.success(request, _("已解锁。"))
    return redirect("accounts_lock_list")
