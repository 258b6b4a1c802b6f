"""Wagtail's user forms, with the three-administrator rule and the role rule.

Only the security administrator assigns roles (等保 level 3: the system administrator creates
accounts, the security administrator decides what they may do). For anyone else the roles and
the "administrator" switch are not in the form at all, so a forged POST cannot set them either.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import CreateView, EditView, UserViewSet

from fulian.accounts.services import check_separation

ROLE_FIELDS = ("groups", "is_superuser")


def may_assign_roles(user: Any) -> bool:
    return bool(user.has_perm("fulian_accounts.manage_roles"))


class _SeparatedRoles:
    cleaned_data: dict[str, Any]
    fields: dict[str, Any]

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if for_user is None or not may_assign_roles(for_user):
            for name in ROLE_FIELDS:
                self.fields.pop(name, None)
        elif not for_user.is_superuser:
            # Only a superuser makes another one.
            self.fields.pop("is_superuser", None)

    def clean_groups(self) -> Any:
        groups = self.cleaned_data.get("groups")
        if groups is not None:
            try:
                check_separation(group.name for group in groups)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return groups


class StaffUserCreationForm(_SeparatedRoles, UserCreationForm):
    pass


class StaffUserEditForm(_SeparatedRoles, UserEditForm):
    pass


class _ForUser:
    request: Any

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()  # type: ignore[misc]
        kwargs["for_user"] = self.request.user
        return kwargs


class StaffCreateView(_ForUser, CreateView):
    pass


class StaffEditView(_ForUser, EditView):
    pass


class StaffUserViewSet(UserViewSet):
    add_view_class = StaffCreateView
    edit_view_class = StaffEditView

    def get_form_class(self, for_update: bool = False) -> Any:
        return StaffUserEditForm if for_update else StaffUserCreationForm
