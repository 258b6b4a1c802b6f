"""联席会议 in the admin: one submenu for everything of the joint meeting.

Other apps (the letters, returns and assessment of `fulian.targets`, the chair's report) add
their items to the same submenu by registering a function returning a MenuItem under
`MENU_HOOK`; the submenu shows when any of its items does. The body's configuration (member
units, officers, mechanisms) is edited through viewsets whose saves go through the services
(checked and audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from fulian.jointmeeting import forms as f
from fulian.jointmeeting import selectors as q
from fulian.jointmeeting import services as s
from fulian.jointmeeting import views
from fulian.jointmeeting.models import Mechanism, Meeting, MemberUnit, Officer, Task
from fulian.lib.forms import add_service_errors
from fulian.security.access import may

MENU_HOOK = "register_joint_meeting_menu_item"

joint_meeting_menu = Menu(register_hook_name=MENU_HOOK, construct_hook_name=None)


class OverviewMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return q.sees_body(request.user)


class MeetingMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Meeting)


class TaskMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Task)


hooks.register("register_admin_urls", lambda: [path("jointmeeting/", include(views.urls()))])
hooks.register(
    "register_admin_menu_item",
    lambda: SubmenuMenuItem(_("联席会议"), joint_meeting_menu, name="joint-meeting", icon_name="group", order=240),
)
hooks.register(
    MENU_HOOK, lambda: OverviewMenuItem(_("联席会议概况"), reverse("jm_overview"), icon_name="group", order=10)
)
hooks.register(MENU_HOOK, lambda: MeetingMenuItem(_("会议"), reverse("jm_meeting_list"), icon_name="date", order=20))
hooks.register(MENU_HOOK, lambda: TaskMenuItem(_("交办任务"), reverse("jm_task_list"), icon_name="tasks", order=30))
hooks.register("my_work_sections", views.my_work_section)


# --- the body's configuration ---------------------------------------------------------------------


class _ThroughService:
    """Save a viewset's form through the app's service: validated and audited in one transaction;
    a refusal comes back onto the form."""

    form: Any
    request: Any
    object: Any
    produced_error_message: Any

    def save_instance(self) -> models.Model:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as error:
            add_service_errors(form, error)
            # Wagtail's form_invalid shows this message; it is set only by its own validation.
            self.produced_error_message = self.get_error_message()  # type: ignore[attr-defined]
            return self.form_invalid(form)  # type: ignore[attr-defined]
        return self.save_action()  # type: ignore[attr-defined]


class _UnitSave(_ThroughService):
    def save_instance(self) -> MemberUnit:
        return s.member_unit_save(
            actor=self.request.user, unit=self.form.instance, mechanisms=self.form.cleaned_data.get("mechanisms")
        )


class _MechanismSave(_ThroughService):
    def save_instance(self) -> Mechanism:
        return s.mechanism_save(actor=self.request.user, mechanism=self.form.instance)


class _OfficerSave(_ThroughService):
    def save_instance(self) -> Officer:
        return s.officer_save(actor=self.request.user, officer=self.form.instance)


class MemberUnitCreateView(_UnitSave, CreateView):
    pass


class MemberUnitEditView(_UnitSave, EditView):
    pass


class MechanismCreateView(_MechanismSave, CreateView):
    pass


class MechanismEditView(_MechanismSave, EditView):
    pass


class OfficerCreateView(_OfficerSave, CreateView):
    pass


class OfficerEditView(_OfficerSave, EditView):
    pass


class _InJointMeetingMenu(ModelViewSet):
    """A viewset listed in the 联席会议 submenu; never deleted from the admin (retire instead)."""

    menu_hook = MENU_HOOK
    inspect_view_enabled = False
    copy_view_enabled = False


class MemberUnitViewSet(_InJointMeetingMenu):
    model = MemberUnit
    icon = "group"
    menu_label = _("成员单位")
    menu_order = 90
    form_fields = ["organisation", "role", "duties", "mechanisms", "signs_letter", "report_sectors", "joined_on",
                   "order", "active"]  # fmt: skip
    list_display = ["organisation", "role", "signs_letter", "order", "active"]
    list_filter = ["role", "active"]
    add_view_class = MemberUnitCreateView
    edit_view_class = MemberUnitEditView

    def formfield_for_dbfield(self, db_field: Any, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            return forms.ModelChoiceField(
                label=db_field.verbose_name, queryset=f.member_unit_organisations(),
                help_text=_("“联席会议成员单位”类型的组织，或市妇联（联席会议办公室）。"),
            )  # fmt: skip
        if db_field.name == "report_sectors":
            return f.sector_field()
        if db_field.name == "mechanisms":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_dbfield(db_field, **kwargs)


class OfficerViewSet(_InJointMeetingMenu):
    model = Officer
    icon = "user"
    menu_label = _("联席会议负责人")
    menu_order = 91
    form_fields = ["post", "name", "title", "unit", "order", "active"]
    list_display = ["post", "name", "title", "unit", "active"]
    add_view_class = OfficerCreateView
    edit_view_class = OfficerEditView


class MechanismViewSet(_InJointMeetingMenu):
    model = Mechanism
    icon = "cogs"
    menu_label = _("工作机制")
    menu_order = 92
    form_fields = ["name", "description", "order", "active"]
    list_display = ["name", "order", "active"]
    add_view_class = MechanismCreateView
    edit_view_class = MechanismEditView


unit_viewset = MemberUnitViewSet("jm_units")
officer_viewset = OfficerViewSet("jm_officers")
mechanism_viewset = MechanismViewSet("jm_mechanisms")
hooks.register("register_admin_viewset", lambda: unit_viewset)
hooks.register("register_admin_viewset", lambda: officer_viewset)
hooks.register("register_admin_viewset", lambda: mechanism_viewset)
