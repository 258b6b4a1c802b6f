"""The person form: personal fields start empty on edit (blank keeps the stored value), so an
edit screen never shows full values to someone without the reveal permission."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.orgs.models import Organisation
from fulian.people.models import Sex
from fulian.people.services import ENCRYPTED
from fulian.security.access import organisation_of


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False
    )
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices)
    organisation = forms.ModelChoiceField(label=_("所属组织"), queryset=Organisation.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            initial.update(sex=instance.sex, organisation=instance.organisation_id, version=instance.version)
        super().__init__(*args, **kwargs)
        home = organisation_of(user)
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.filter(path__startswith=home.path, active=True)
            if home
            else Organisation.objects.none()
        )
        if instance is None:
            self.fields["name"].required = True
        else:
            for field, shown in instance.masked().items():
                if shown:
                    self.fields[field].widget.attrs["placeholder"] = shown
                    self.fields[field].help_text = _("留空则保持不变")

    def changes(self) -> dict[str, Any]:
        """What to save: every plain field, and the personal fields that were filled in."""
        data = {k: v for k, v in self.cleaned_data.items() if k in ENCRYPTED and v not in ("", None)}
        data["sex"] = self.cleaned_data["sex"]
        data["organisation"] = self.cleaned_data["organisation"]
        return data
