"""The audit administrator's screen: search the trail by user, record, action and time; export it."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.accounts.reauth import fresh_login_required
from fulian.audit.models import AuditEvent
from fulian.audit.services import audit_record


class AuditFilter(forms.Form):
    user = forms.CharField(label=_("用户名"), required=False, max_length=150)
    action = forms.CharField(label=_("事件"), required=False, max_length=64)
    target = forms.CharField(label=_("对象（类型或 类型:ID）"), required=False, max_length=130)
    since = forms.DateField(label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("到"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["user"]:
            events = events.filter(actor_username=data["user"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["target"]:
            kind, _sep, ident = data["target"].strip().partition(":")
            events = events.filter(target_type=kind)
            if ident:
                events = events.filter(target_id=ident)
        tz = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=tz))
        if data["until"]:
            events = events.filter(
                at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            )
        return events


def audit_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("fulian_audit.view_auditevent"):
        raise PermissionDenied
    form = AuditFilter(request.GET or None)
    events = form.filter(AuditEvent.objects.all()) if request.GET else AuditEvent.objects.all()
    page = Paginator(events.order_by("-seq"), 50).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form if request.GET else AuditFilter(),
            "page": page,
            "query": query.urlencode(),
            "can_export": request.user.has_perm("fulian_audit.export_auditevent"),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@fresh_login_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    if not request.user.has_perm("fulian_audit.export_auditevent"):
        raise PermissionDenied
    form = AuditFilter(request.GET or None)
    events = form.filter(AuditEvent.objects.all()) if request.GET else AuditEvent.objects.all()
    with transaction.atomic():
        audit_record(action="audit.export", actor=request.user, detail={"filters": dict(request.GET.items())})
    writer = csv.writer(_Echo())
    header = [
        "序号",
        "时间",
        "用户ID",
        "用户名",
        "组织",
        "事件",
        "对象类型",
        "对象ID",
        "结果",
        "来源地址",
        "详情",
        "哈希",
    ]

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)  # BOM: Excel opens the Chinese headers correctly
        for e in events.order_by("seq").iterator(chunk_size=2000):
            yield writer.writerow([e.seq, timezone.localtime(e.at).isoformat(), e.actor_id or "", e.actor_username, e.organisation_id or "",
                                   e.action, e.target_type, e.target_id, e.outcome, e.ip, e.detail, e.hash])  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
