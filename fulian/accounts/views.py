"""The security administrator's screens: locked accounts and addresses (unlock), and roles."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fulian.accounts import lockout
from fulian.accounts.models import LoginLock
from fulian.accounts.roles import BY_GROUP, ROLES
from fulian.accounts.services import staff_set_roles

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


ROLES_PERMISSION = "fulian_accounts.manage_roles"


def _role_codes(user: object) -> list[str]:
    return [BY_GROUP[g.name].code for g in user.groups.all() if g.name in BY_GROUP]  # type: ignore[attr-defined]


def role_list(request: HttpRequest) -> HttpResponse:
    """Every staff account with its organisation and roles; filter by a part of the username."""
    if not request.user.has_perm(ROLES_PERMISSION):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:150]
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("staff_profile__organisation")
        .prefetch_related("groups")
        .order_by("username")
    )
    if query:
        users = users.filter(username__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("p"))
    labels = {role.code: role.label for role in ROLES}
    rows = [(user, [labels[c] for c in _role_codes(user)]) for user in page]
    return render(request, "accounts/role_list.html", {"page": page, "rows": rows, "query": query})


class RoleForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("角色"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(role.code, role.label) for role in ROLES],
    )


def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(ROLES_PERMISSION):
        raise PermissionDenied
    user = get_object_or_404(get_user_model(), pk=pk, is_active=True)
    form = RoleForm(request.POST or None, initial={"roles": _role_codes(user)})
    if request.method == "POST" and form.is_valid():
        try:
            staff_set_roles(actor=request.user, user=user, roles=form.cleaned_data["roles"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("roles", message)
        else:
            messages.success(request, _("已更新 %(user)s 的角色。") % {"user": user.get_username()})
            return redirect("accounts_role_list")
    return render(request, "accounts/role_edit.html", {"form": form, "staff": user})
