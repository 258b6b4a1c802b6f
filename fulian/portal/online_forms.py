"""在线维权 on the portal: the request form, the status lookup form, and the signed stamp that
stands in for a CAPTCHA (CAPTCHAs shut out blind and elderly visitors).

The stamp is a hidden field signed with the site's key: when the form page was issued and a
one-time token. A post faster than a person can write, with a forged stamp or one from a page
left open too long, is refused with a request to try again; the token makes a double click
give the first request's number instead of a second request.
"""

from __future__ import annotations

import re
import time
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from fulian.hotline.models import Category, ContactTime
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.security.identity import validate_phone

STAMP_SALT = "fulian.portal.online_request.stamp"
# The trap field: hidden from people (visually hidden, aria-hidden, out of the tab order), filled by scripts.
HONEYPOT = "homepage"
# Clocks of several app servers may differ a little: a stamp a few seconds "from the future" is fine.
CLOCK_SKEW_SECONDS = 60
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
_TRACKING_RE = re.compile(r"^[A-Z0-9]{4,20}$")


def now() -> float:
    """The clock of the stamp (tests move it)."""
    return time.time()


@dataclass(frozen=True)
class Stamp:
    issued_at: float
    token: str

    @property
    def age(self) -> float:
        return now() - self.issued_at


def stamp_issue(*, issued_at: float | None = None) -> str:
    payload = {"t": int(now() if issued_at is None else issued_at), "n": uuid.uuid4().hex}
    return signing.dumps(payload, salt=STAMP_SALT, compress=False)


def stamp_read(value: str) -> Stamp | None:
    """The stamp, or None when it is missing, malformed or not signed by us."""
    if not value or len(value) > 300:
        return None
    try:
        payload = signing.loads(value, salt=STAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    issued, token = payload.get("t"), payload.get("n")
    if not isinstance(issued, int) or not isinstance(token, str) or not _TOKEN_RE.match(token):
        return None
    return Stamp(issued_at=float(issued), token=token)


def _plain(value: str) -> str:
    """Full-width digits and letters (common from Chinese input methods) as ASCII, without spaces."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


class CountyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        # "铜官区妇联" → "铜官区": the visitor picks where she lives, not an office.
        name = str(obj.name)
        return name.removesuffix("妇联") or name


class OnlineRequestForm(forms.Form):
    narrative = forms.CharField(
        label=_("问题描述"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=_("请简要说明发生了什么、希望得到什么帮助（10 至 2000 字）。"),
        error_messages={
            "required": _("请填写问题描述。"),
            "min_length": _("问题描述至少需要 %(limit_value)d 个字（现在 %(show_value)d 个字），请再具体一些。"),
            "max_length": _("问题描述不能超过 %(limit_value)d 个字（现在 %(show_value)d 个字），请精简一些。"),
        },
    )
    category = forms.ModelChoiceField(
        label=_("问题分类"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("不清楚或不选"),
        error_messages={"invalid_choice": _("请从列表中选择问题分类。")},
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("工作人员通过这个电话与您联系；查询办理进度时需要它的后四位。"),
        error_messages={"required": _("请填写联系电话。"), "max_length": _("联系电话过长，请核对。")},
    )
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("可以不填，也可以只填称呼。"),
        error_messages={"max_length": _("姓名不能超过 %(limit_value)d 个字。")},
    )
    district = CountyChoiceField(
        label=_("所在县区"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("不清楚或不选（由市妇联受理）"),
        error_messages={"invalid_choice": _("请从列表中选择所在县区。")},
    )
    preferred_time = forms.ChoiceField(
        label=_("方便联系时间"),
        choices=ContactTime.choices,
        initial=ContactTime.ANY,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择方便联系的时间。"),
            "invalid_choice": _("请从列表中选择方便联系的时间。"),
        },
    )
    consent = forms.BooleanField(
        label=_("我已阅读以上说明，同意工作人员通过所留电话与我联系"),
        help_text=_(
            "您填写的姓名、电话和问题描述将加密保存，只用于办理本次求助（与您联系，必要时转交有关单位处理），"
            "不会公开，也不会用于其他用途。"
        ),
        error_messages={"required": _("需要您同意我们与您联系，才能办理。")},
    )
    homepage = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    stamp = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    # What the view should do with a refused stamp: keep it (too fast: the clock keeps running) or issue a new one.
    stamp_needs_renewal = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["stamp"] = stamp_issue()
        self.fields["category"].queryset = Category.objects.filter(parent=None, active=True)  # type: ignore[attr-defined]
        self.fields["district"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.COUNTY, active=True
        )

    def clean_narrative(self) -> str:
        # Text stays text: markup typed here is stored as typed and always shown escaped.
        return str(self.cleaned_data["narrative"]).replace("\r\n", "\n")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        stamp = stamp_read(str(self.data.get("stamp", "")))
        if stamp is None or not -CLOCK_SKEW_SECONDS <= stamp.age <= settings.ONLINE_REQUEST_MAX_AGE_SECONDS:
            self.stamp_needs_renewal = True
            raise ValidationError(
                _("页面已过期，请核对填写的内容后再次点击“提交”。"),
                code="stamp_expired",
            )
        if stamp.age < settings.ONLINE_REQUEST_MIN_SECONDS:
            raise ValidationError(_("提交过快，请稍等几秒后再次点击“提交”。"), code="too_fast")
        cleaned["stamp"] = stamp
        return cleaned

    @property
    def token(self) -> str:
        return str(self.cleaned_data["stamp"].token)  # only called on a valid form

    def renew_stamp_if_needed(self) -> None:
        """Before showing the form again: a refused stamp gets a fresh one, so "submit" works next time."""
        if self.is_bound and self.stamp_needs_renewal:
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            data["stamp"] = stamp_issue()
            self.data = data

    def submission(self) -> dict[str, Any]:
        """The arguments of `online_request_submit`."""
        data = self.cleaned_data
        return {
            "narrative": data["narrative"],
            "phone": data["phone"],
            "name": data["name"],
            "category": data["category"],
            "district": data["district"],
            "preferred_time": data["preferred_time"],
            "consent_to_contact": bool(data["consent"]),
        }


# The service's field names, for its errors.
SERVICE_FIELDS = {
    "narrative": "narrative",
    "caller_phone": "phone",
    "caller_name": "name",
    "category": "category",
    "caller_district": "district",
    "preferred_time": "preferred_time",
    "consent_to_contact": "consent",
}


class OnlineLookupForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("查询编号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        help_text=_("提交求助后页面上显示的编号，以 WQ 开头。"),
        error_messages={"required": _("请填写查询编号。"), "max_length": _("查询编号过长，请核对。")},
    )
    last_four = forms.CharField(
        label=_("联系电话后四位"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 6}),
        help_text=_("提交求助时所留电话的最后 4 位数字。"),
        error_messages={"required": _("请填写联系电话的后四位。"), "max_length": _("请填写联系电话的后 4 位数字。")},
    )

    def clean_tracking_number(self) -> str:
        number = _plain(self.cleaned_data["tracking_number"]).upper()
        if not _TRACKING_RE.match(number):
            raise ValidationError(_("查询编号由字母和数字组成，请核对。"), code="format")
        return number

    def clean_last_four(self) -> str:
        digits = _plain(self.cleaned_data["last_four"])
        if len(digits) != 4 or not digits.isascii() or not digits.isdigit():
            raise ValidationError(_("请填写联系电话的后 4 位数字。"), code="format")
        return digits
