"""Forms of the chair's work report: the year to draft, and the draft's title, speaker and sections
(a formset: heading and body per section; added with the blank form at the end, removed with its
box, reordered by number — all without JavaScript). The services check everything again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fulian.chairreport import services as s
from fulian.lib.once import OnceField

VERSION_ERRORS = {"required": _("页面已过期，请刷新后重新操作。"), "invalid": _("页面已过期，请刷新后重新操作。")}


class VersionField(forms.IntegerField):
    """The version of the report the page was made from: the service refuses a stale one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", VERSION_ERRORS)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class ReportCreateForm(forms.Form):
    year = forms.CharField(
        label=_("年度"), max_length=8, error_messages={"required": _("请填写年度，如 2025。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
    )  # fmt: skip
    once = OnceField()

    def clean_year(self) -> int:
        try:
            return s.clean_year(self.cleaned_data["year"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["year"]) from None


class VersionForm(forms.Form):
    """Refresh the figures or finalise: only the version the page showed."""

    version = VersionField()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("重新打开的理由"), max_length=s.MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写重新打开的理由。")},
    )  # fmt: skip
    version = VersionField()


class ReportForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=s.MAX_TITLE, error_messages={"required": _("请填写报告标题。")})
    speaker = forms.CharField(
        label=_("报告人"), max_length=s.MAX_SPEAKER, required=False, help_text=_("如“市妇联主席 徐某某”。")
    )
    version = VersionField()


class SectionForm(forms.Form):
    heading = forms.CharField(
        label=_("标题"), max_length=s.MAX_HEADING, error_messages={"required": _("请填写本节标题。")},
        widget=forms.TextInput(attrs={"size": 60}),
    )  # fmt: skip
    body = forms.CharField(
        label=_("内容"), max_length=s.MAX_BODY, strip=False, error_messages={"required": _("请填写本节内容。")},
        widget=forms.Textarea(attrs={"rows": 12}), help_text=_("段落之间空一行。"),
    )  # fmt: skip


class BaseSectionFormSet(forms.BaseFormSet[SectionForm]):
    # Said the way the page says it: sections, not "forms"; a tampered page is told to reload.
    default_error_messages = {
        "missing_management_form": _("页面数据不完整，请刷新后重新填写。"),
        "too_many_forms": _("报告最多 %(num)d 节。"),
        "too_few_forms": _("报告至少应有 %(num)d 节。"),
    }

    def add_fields(self, form: SectionForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("序号")
            form.fields["ORDER"].help_text = _("改动序号可调整各节顺序。")
            form.fields["ORDER"].error_messages["invalid"] = _("序号应为整数。")
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除本节")

    def sections(self) -> list[dict[str, str]]:
        """The kept sections in the order their numbers give (a blank number goes last)."""
        return [
            {"heading": form.cleaned_data["heading"], "body": form.cleaned_data["body"]} for form in self.ordered_forms
        ]


# formset_factory is typed as returning the base class; it returns a subclass of `formset`.
SectionFormSet = cast(
    type[BaseSectionFormSet],
    forms.formset_factory(
        SectionForm,
        formset=BaseSectionFormSet,
        extra=1,  # the blank section at the end: filled in, it is added
        can_order=True,
        can_delete=True,
        max_num=s.MAX_SECTIONS,
        validate_max=True,
        absolute_max=s.MAX_SECTIONS + 1,
    ),
)
