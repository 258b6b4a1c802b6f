"""Wagtail's user forms with the three-administrator rule checked in the form (a message, not an error page)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet

from fulian.accounts.services import check_separation


class _SeparatedRoles:
    cleaned_data: dict[str, Any]

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


class StaffUserViewSet(UserViewSet):
    def get_form_class(self, for_update: bool = False) -> Any:
        return StaffUserEditForm if for_update else StaffUserCreationForm
