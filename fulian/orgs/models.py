"""Organisations: the federation's tree (city → county/district → township/street → village/community)
and the joint meeting's member units, each an organisation of its own."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    CITY = "city", _("市妇联")
    COUNTY = "county", _("县（区）妇联")
    TOWNSHIP = "township", _("乡镇（街道）妇联")
    VILLAGE = "village", _("村（社区）妇联")
    MEMBER_UNIT = "member_unit", _("联席会议成员单位")


# The level a federation organisation's parent must have: the tree cannot skip or invert levels.
PARENT_KIND = {
    OrganisationKind.CITY: None,
    OrganisationKind.COUNTY: OrganisationKind.CITY,
    OrganisationKind.TOWNSHIP: OrganisationKind.COUNTY,
    OrganisationKind.VILLAGE: OrganisationKind.TOWNSHIP,
    OrganisationKind.MEMBER_UNIT: None,
}


class Organisation(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    division_code = models.CharField(
        _("行政区划代码"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^(\d{6}|\d{9}|\d{12})$", _("行政区划代码为 6、9 或 12 位数字（GB/T 2260）。"))],
        help_text=_("市、县 6 位；乡镇（街道）9 位；村（社区）12 位。"),
    )
    # "/1/4/17/": a record's organisation is in a user's scope when its path starts with the
    # user's organisation's path, one indexed prefix comparison for any depth of the tree.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    active = models.BooleanField(_("启用"), default=True)
    # The short name in this office's case numbers: 铜妇维 gives 铜妇维〔2026〕0001号.
    case_prefix = models.CharField(
        _("案号代字"), max_length=10, blank=True, help_text=_("如“铜妇维”；留空则用名称首字加“妇维”。")
    )

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="fulian_orgs_unique_name_under_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def is_within(self, other: Organisation) -> bool:
        """Is this organisation `other` or below it?"""
        return self.path.startswith(other.path)
