"""The roles of the platform and what each may do.

A role is a Django group (so Wagtail shows each user only the menus its permissions open).
Actions on sensitive records — view, create, edit, close, export, reveal — become model
permissions on every sensitive model (`add`, `view`, `change`, and our own `close_`,
`export_`, `reveal_`); *which* records a user may act on is the organisation scope
(fulian/security/access.py), never the role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS = ("view", "create", "edit", "close", "export", "reveal")


@dataclass(frozen=True)
class Role:
    code: str
    label: Promise
    group: str  # the group's name in the database (Chinese: what administrators see)
    actions: tuple[str, ...] = ()
    # Extra model permissions as "app_label.codename" (menus outside casework).
    permissions: tuple[str, ...] = ()
    reads_personal_data: bool = False
    administrator: bool = False
    description: Promise | str = field(default="")


PORTAL = ("wagtailadmin.access_admin",)

ROLES: tuple[Role, ...] = (
    Role("hotline_operator", _("接线员"), "接线员", ("view", "create", "edit"), PORTAL, reads_personal_data=True),
    Role("counsellor", _("心理咨询师"), "心理咨询师", ("view", "create", "edit"), PORTAL, reads_personal_data=True),
    Role("caseworker", _("维权干部"), "维权干部", ("view", "create", "edit", "close", "reveal"), PORTAL, reads_personal_data=True),
    Role("supervisor", _("分管领导"), "分管领导", ("view", "edit", "close", "export", "reveal"), (*PORTAL, "fulian_cases.approve_case", "fulian_ledger.import_family"), reads_personal_data=True),
    Role("liaison", _("成员单位联络员"), "成员单位联络员", ("view", "edit"), PORTAL, reads_personal_data=True),
    Role("grassroots", _("基层妇联干部"), "基层妇联干部", ("view", "create", "edit"), PORTAL, reads_personal_data=True),
    # Added to a supervisor who must hand identified lists of children to the court or procuratorate.
    Role("minor_data_officer", _("未成年人信息导出"), "未成年人信息导出", (), ("fulian_cases.export_minor_identified",), reads_personal_data=True),
    # The federation's staff who run the joint meeting: meetings, tasks, letters, returns, scores, the chair's report.
    Role(
        "secretariat", _("联席会议办公室"), "联席会议办公室", (),
        (*PORTAL, "fulian_jointmeeting.oversee_joint_meeting",
         "fulian_jointmeeting.add_memberunit", "fulian_jointmeeting.change_memberunit", "fulian_jointmeeting.view_memberunit",
         "fulian_jointmeeting.add_officer", "fulian_jointmeeting.change_officer", "fulian_jointmeeting.view_officer",
         "fulian_jointmeeting.add_mechanism", "fulian_jointmeeting.change_mechanism", "fulian_jointmeeting.view_mechanism",
         "fulian_targets.add_targetyear", "fulian_targets.change_targetyear", "fulian_targets.view_targetyear"),
    ),
    Role("web_editor", _("网站编辑"), "Editors"),
    Role("campaign_manager", _("评选活动管理员"), "评选活动管理员", (), PORTAL),
    Role(
        "system_admin", _("系统管理员"), "系统管理员", (),
        (*PORTAL, "fulian_orgs.add_organisation", "fulian_orgs.change_organisation", "fulian_orgs.view_organisation",
         "auth.add_user", "auth.change_user", "auth.view_user",
         "fulian_hotline.add_category", "fulian_hotline.change_category", "fulian_hotline.view_category",
         "fulian_protection.add_onestopsite", "fulian_protection.change_onestopsite",
         "fulian_protection.view_onestopsite",
         "fulian_ledger.add_familytype", "fulian_ledger.change_familytype", "fulian_ledger.view_familytype",
         "fulian_ledger.add_riskgrade", "fulian_ledger.change_riskgrade", "fulian_ledger.view_riskgrade"),
        administrator=True,
    ),
    Role(
        "security_admin", _("安全管理员"), "安全管理员", (),
        (*PORTAL, "auth.view_user", "fulian_accounts.manage_roles", "fulian_accounts.unlock_account"),
        administrator=True,
    ),
    Role(
        "audit_admin", _("审计管理员"), "审计管理员", (),
        (*PORTAL, "fulian_audit.view_auditevent", "fulian_audit.export_auditevent"),
        administrator=True,
    ),
)  # fmt: skip

BY_CODE = {role.code: role for role in ROLES}
BY_GROUP = {role.group: role for role in ROLES}
ADMINISTRATOR_GROUPS = frozenset(role.group for role in ROLES if role.administrator)
PERSONAL_DATA_GROUPS = frozenset(role.group for role in ROLES if role.reads_personal_data)


def model_permission(action: str, model_name: str) -> str:
    """The codename of an action on a sensitive model."""
    verb = {"view": "view", "create": "add", "edit": "change"}.get(action, action)
    return f"{verb}_{model_name}"
