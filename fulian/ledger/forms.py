from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from fulian.ledger.models import FamilyType, Help, Member, Relationship, RiskGrade, VisitMethod
from fulian.lib.once import OnceField
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.orgs.selectors import offices_within
from fulian.people.models import Sex
from fulian.security.access import organisation_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 3})


def _cadres(user: Any) -> Any:
    """Staff of the user's office and the offices below: who may be a family's 包保干部."""
    home = organisation_of(user)
    users = get_user_model().objects.filter(is_active=True, staff_profile__isnull=False)
    if home is None:
        return users.none()
    return users.filter(staff_profile__organisation__path__startswith=home.path).order_by("username")


class FamilyForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("所在村（社区）"), queryset=Organisation.objects.none())
    head_name = forms.CharField(label=_("户主姓名"), max_length=50)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    grid = forms.CharField(label=_("网格"), max_length=50, required=False)
    cadre = forms.ModelChoiceField(label=_("包保干部"), queryset=get_user_model().objects.none(), required=False)
    types = forms.ModelMultipleChoiceField(
        label=_("家庭类型"), queryset=FamilyType.objects.filter(active=True), widget=forms.CheckboxSelectMultiple
    )
    grade = forms.ModelChoiceField(label=_("风险等级"), queryset=RiskGrade.objects.filter(active=True))
    grade_reason = forms.CharField(label=_("定级理由"), max_length=500, required=False, widget=NOTE)
    needs = forms.CharField(label=_("需求"), max_length=1000, required=False, widget=NOTE)
    once = OnceField()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = offices_within(user).exclude(kind=OrganisationKind.MEMBER_UNIT)
        self.fields["organisation"].queryset = offices  # type: ignore[attr-defined]
        self.fields["organisation"].initial = organisation_of(user)
        self.fields["cadre"].queryset = _cadres(user)  # type: ignore[attr-defined]
        self.fields["cadre"].initial = user.pk


class FamilyEditForm(FamilyForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["organisation"], self.fields["grade"], self.fields["once"]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE, help_text=_("有身份证号时自动取得"))
    relationship = forms.ChoiceField(label=_("与户主关系"), choices=Relationship.choices)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    school_or_work = forms.CharField(label=_("就学或就业"), max_length=100, required=False)
    health = forms.CharField(label=_("健康与残疾情况"), max_length=500, required=False, widget=NOTE)
    confirm_same_person = forms.BooleanField(
        label=_("确认是同一人并关联"), required=False,
        help_text=_("身份证号已在其他家庭登记时，核实后勾选：两条记录将关联为同一人。"),
    )  # fmt: skip
    once = OnceField()


class GradeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ModelChoiceField(label=_("新的风险等级"), queryset=RiskGrade.objects.filter(active=True))
    reason = forms.CharField(label=_("调整理由"), max_length=500, widget=NOTE)


class VisitForm(forms.Form):
    """Made for a phone: few fields, large controls, the essentials first."""

    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    method = forms.ChoiceField(label=_("方式"), choices=VisitMethod.choices, widget=forms.RadioSelect)
    visitors = forms.CharField(label=_("走访人"), max_length=100)
    findings = forms.CharField(label=_("了解到的情况"), required=False, widget=NOTE)
    needs_found = forms.CharField(label=_("发现的需求"), required=False, widget=NOTE)
    help_given = forms.MultipleChoiceField(
        label=_("提供的帮助"), choices=Help.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    relief_amount = forms.DecimalField(label=_("救助金额（元）"), required=False, min_value=0, max_digits=10,
                                       decimal_places=2)  # fmt: skip
    follow_up = forms.CharField(label=_("需跟进事项"), required=False, widget=NOTE)
    violence_found = forms.BooleanField(label=_("发现家庭暴力"), required=False)
    child_in_danger = forms.BooleanField(label=_("发现儿童处于危险"), required=False)
    grade = forms.ModelChoiceField(
        label=_("风险等级"), queryset=RiskGrade.objects.filter(active=True), required=False,
        help_text=_("情况变化时调整，并填写理由"),
    )  # fmt: skip
    grade_reason = forms.CharField(label=_("调整理由"), required=False, widget=NOTE)
    photo = forms.FileField(
        label=_("照片"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("可选。照片加密保存，位置信息会被去除。"),
    )  # fmt: skip
    once = OnceField()


class CaseFromFamilyForm(forms.Form):
    member = forms.ModelChoiceField(label=_("需要帮助的人"), queryset=Member.objects.none(), required=False)
    category = forms.ChoiceField(label=_("问题分类"), choices=())
    summary = forms.CharField(label=_("情况说明"), widget=NOTE)
    once = OnceField()

    def __init__(self, *args: Any, family: Any, **kwargs: Any) -> None:
        from fulian.hotline.models import Category

        super().__init__(*args, **kwargs)
        member_field: Any = self.fields["member"]
        member_field.queryset = family.members.all()
        member_field.label_from_instance = lambda m: f"{m.get_relationship_display()} {m.masked()['name']}"
        category_field: Any = self.fields["category"]
        category_field.choices = [
            (str(c.pk), c.name) for c in Category.objects.filter(parent=None, active=True).order_by("order", "pk")
        ]


class FamilyFilterForm(forms.Form):
    """The list's filters: codes and ids only (they appear in the address)."""

    grade = forms.ModelChoiceField(label=_("风险等级"), queryset=RiskGrade.objects.all(), required=False)
    type = forms.ModelChoiceField(label=_("家庭类型"), queryset=FamilyType.objects.all(), required=False)
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Organisation.objects.all(), required=False)
    overdue = forms.BooleanField(label=_("逾期未走访"), required=False)
    mine = forms.BooleanField(label=_("只看我包保的"), required=False)
    never = forms.BooleanField(label=_("从未走访"), required=False)
