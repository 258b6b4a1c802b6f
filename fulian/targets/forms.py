"""Forms of the letters' screens. They only parse what was sent (numbers, dates, choices); the
rules are the services' (a bad value comes back beside its field, in Chinese, nothing lost)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.lib.once import OnceField
from fulian.targets import indicators
from fulian.targets.models import Letter, Rating, Scoring, SignatorySide, Target

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 3})
NUMBER = forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"})


def _number_errors(label: Any) -> dict[str, Any]:
    return {"invalid": _("%(label)s应为数字。") % {"label": label}}


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), error_messages={"invalid": _("年度应为四位数字，如 2025。")})
    title = forms.CharField(label=_("责任书名称"), max_length=120)
    once = OnceField()


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("我已确认"), error_messages={"required": _("请勾选确认。")})


class LettersCreateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("参照责任书"),
        queryset=Letter.objects.none(),
        required=False,
        help_text=_("可选。新建的责任书复制所选责任书的正文、目标和甲方签订人，再按单位调整。"),
    )

    def __init__(self, *args: Any, letters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["template"]
        field.queryset = letters.select_related("year", "unit__organisation").order_by("-year__year", "unit__order")
        field.label_from_instance = lambda letter: f"{letter.year.year} · {letter.unit}"


class LetterForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    preamble = forms.CharField(label=_("正文（目标之前）"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    closing = forms.CharField(label=_("考核与奖惩条款"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class TargetForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    number = forms.IntegerField(label=_("序号"), min_value=1, max_value=999,
                                error_messages={"invalid": _("序号应为数字。")})  # fmt: skip
    text = forms.CharField(label=_("目标任务"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    indicator = forms.ChoiceField(label=_("平台指标"), required=False, choices=())
    measure = forms.CharField(label=_("考核方式"), max_length=200, required=False)
    target_value = forms.DecimalField(label=_("目标值"), required=False, decimal_places=2, widget=NUMBER,
                                      error_messages=_number_errors(_("目标值")))  # fmt: skip
    value_unit = forms.CharField(label=_("计量单位"), max_length=10, required=False)
    weight = forms.DecimalField(label=_("分值"), decimal_places=2, widget=NUMBER,
                                error_messages=_number_errors(_("分值")))  # fmt: skip
    scoring = forms.ChoiceField(label=_("计分规则"), choices=Scoring.choices, initial=Scoring.RATED)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = indicators.indicator_choices()
        stored = (self.initial or {}).get("indicator")
        if stored and stored not in dict(choices):  # an indicator since withdrawn: shown, refused when saved
            choices.append((stored, stored))
        field: Any = self.fields["indicator"]
        field.choices = choices


TargetFormSet = forms.formset_factory(
    TargetForm, extra=2, can_delete=True, max_num=50, validate_max=True, absolute_max=60
)


class SignatoryForm(forms.Form):
    side = forms.ChoiceField(label=_("签订方"), choices=SignatorySide.choices)
    name = forms.CharField(label=_("姓名"), max_length=30)
    title = forms.CharField(label=_("职务"), max_length=60)
    order = forms.IntegerField(label=_("排序"), required=False, min_value=0, max_value=999)


SignatoryFormSet = forms.formset_factory(
    SignatoryForm, extra=2, can_delete=True, max_num=20, validate_max=True, absolute_max=30
)


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), max_length=500, widget=NOTE)


class RoundForm(forms.Form):
    title = forms.CharField(label=_("轮次名称"), max_length=60, help_text=_("如“上半年”“全年”。"))
    period_end = forms.DateField(label=_("统计截止日期"), widget=DATE)
    due_on = forms.DateField(label=_("报送期限"), widget=DATE)
    remind_days = forms.IntegerField(label=_("提前提醒天数"), initial=5, min_value=0, max_value=90)
    once = OnceField()


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnLineForm(forms.Form):
    """One target's progress. A platform-indicator target has no value field: its figure is computed."""

    value_reached = forms.DecimalField(
        label=_("完成值"), required=False, decimal_places=2, max_digits=12, widget=NUMBER,
        error_messages={"invalid": _("完成值应为数字。"), "min_value": _("完成值不能为负数。"),
                        "max_digits": _("完成值过大。"), "max_decimal_places": _("完成值最多保留两位小数。"),
                        "max_whole_digits": _("完成值过大。")},
        min_value=0,
    )  # fmt: skip
    explanation = forms.CharField(label=_("完成情况说明"), required=False, max_length=2000, widget=NOTE)

    def __init__(self, *args: Any, target: Target, **kwargs: Any) -> None:
        kwargs["prefix"] = f"t{target.pk}"
        super().__init__(*args, **kwargs)
        self.target = target
        if target.indicator:
            del self.fields["value_reached"]
        elif target.value_unit:
            self.fields["value_reached"].label = _("完成值（%(unit)s）") % {"unit": target.value_unit}


class ScoreForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, initial=0)
    rating = forms.ChoiceField(label=_("评定"), required=False, choices=[("", "—"), *Rating.choices])
    points = forms.DecimalField(label=_("得分"), required=False, decimal_places=2, widget=NUMBER,
                                error_messages={"invalid": _("得分应为数字。"),
                                                "max_decimal_places": _("得分最多保留两位小数。")},
                                help_text=_("仅“部分达到”时填写。"))  # fmt: skip
    note = forms.CharField(label=_("评分说明"), required=False, max_length=1000, widget=NOTE)

    def __init__(self, *args: Any, computed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if computed:  # the points come from the value: nothing to rate or type
            del self.fields["rating"], self.fields["points"]
