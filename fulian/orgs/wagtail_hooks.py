"""组织机构 in the admin, for the system administrator: saved through the service that keeps the tree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from fulian.orgs.models import Organisation
from fulian.orgs.services import organisation_save


class _ThroughService:
    form: Any
    request: Any
    produced_error_message: Any

    def save_instance(self) -> Organisation:
        return organisation_save(actor=self.request.user, organisation=self.form.instance)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                self.form = form
                self.object = self.save_instance()
        except ValidationError as error:
            form.add_error(None, error)
            # Wagtail's form_invalid shows this message; only its own validation sets it.
            self.produced_error_message = self.get_error_message()  # type: ignore[attr-defined]
            return self.form_invalid(form)  # type: ignore[attr-defined]
        return self.save_action()  # type: ignore[attr-defined]


class OrganisationCreateView(_ThroughService, CreateView):
    pass


class OrganisationEditView(_ThroughService, EditView):
    pass


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("组织机构")
    menu_order = 800
    add_to_admin_menu = True
    form_fields = ["name", "kind", "parent", "division_code", "case_prefix", "active"]
    list_display = ["name", "kind", "division_code", "parent", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "division_code"]
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    inspect_view_enabled = False
    copy_view_enabled = False


organisation_viewset = OrganisationViewSet("organisations")


def register_viewset() -> OrganisationViewSet:
    return organisation_viewset


hooks.register("register_admin_viewset", register_viewset)
