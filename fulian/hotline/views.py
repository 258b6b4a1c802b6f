"""The hotline in the back office: the intake screen, contact lists, counselling, flags, replies;
and the call centre's ringing-call endpoint."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fulian.accounts.reauth import fresh_login_required
from fulian.audit.services import audit_list_read, audit_record
from fulian.hotline import services
from fulian.hotline.forms import ContactForm, CounsellingForm, FlagForm, PhoneLookupForm, ReplyForm
from fulian.hotline.models import CallerFlag, CallType, Channel, Contact, CounsellingRecord, Outcome
from fulian.lib.forms import add_service_errors
from fulian.lib.paging import CappedPaginator, day_start
from fulian.security.access import EditConflict, get_for_user, may, visible
from fulian.security.blind import blind_index
from fulian.security.identity import normalise_phone

PAGE_SIZE = 50
REVEALABLE = {
    "caller_name": gettext_lazy("来电人姓名"),
    "caller_phone": gettext_lazy("来电号码"),
    "affected_name": gettext_lazy("当事人姓名"),
}


def _date(value: str) -> dt.date | None:
    try:
        return parse_date(value[:10]) if value else None
    except ValueError:  # a well-formed but impossible date (2026-02-30)
        return None


def _history_context(user: Any, phone: str) -> dict[str, Any]:
    recent, total, flags = services.caller_history(user, phone)
    return {"history": recent, "history_total": total, "flags": flags}


def contact_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", Contact):
        raise PermissionDenied
    # Narratives are never shown in a list: left unread (and undecrypted).
    contacts = (
        visible(request.user, Contact)
        .select_related("organisation", "category", "case", "online_request")
        .defer("narrative", "advice", *(f"case__{name}" for name in ("summary", "assessment", "plan", "close_reason")))
    )
    # Filters are codes and dates only; a phone number comes by POST, never in the address.
    channel, call_type, outcome = (request.GET.get(k, "") for k in ("channel", "call_type", "outcome"))
    if channel in Channel.values:
        contacts = contacts.filter(channel=channel)
    if call_type in CallType.values:
        contacts = contacts.filter(call_type=call_type)
    if outcome in Outcome.values:
        contacts = contacts.filter(outcome=outcome)
    start, end = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
    # Day bounds as times in the site's zone: the received_at index serves the range.
    if start:
        contacts = contacts.filter(received_at__gte=day_start(start))
    if end:
        contacts = contacts.filter(received_at__lt=day_start(end + dt.timedelta(days=1)))
    phone = ""
    if request.method == "POST":
        form = PhoneLookupForm(request.POST)
        if form.is_valid():
            phone = normalise_phone(form.cleaned_data["phone"])
            contacts = contacts.filter(caller_phone_index=blind_index("phone", phone))
    page = CappedPaginator(contacts.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
    rows = [(c, c.masked()) for c in page]
    audit_list_read(actor=request.user, model=Contact, shown=list(page), lookup="phone" if phone else "")
    return render(
        request,
        "hotline/contact_list.html",
        {
            "page": page,
            "rows": rows,
            "queue": services.queue(request.user)[:20],
            "channels": Channel.choices,
            "call_types": CallType.choices,
            "outcomes": Outcome.choices,
            "filters": {k: request.GET.get(k, "") for k in ("channel", "call_type", "outcome", "from", "to")},
            "looked_up": bool(phone),
            "can_create": may(request.user, "create", Contact),
        },
    )


def _save_contact(request: HttpRequest, form: ContactForm, contact: Contact | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        if contact is None:
            saved = services.contact_record(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                submission=form.cleaned_data.get("submission"),
                **form.changes(),
            )
        else:
            saved = services.contact_update(
                actor=request.user, contact=contact, version=form.cleaned_data["version"] or 0, **form.changes()
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
        return None
    messages.success(request, _("已保存。"))
    return redirect("hotline_contact_detail", pk=saved.pk)


def contact_create(request: HttpRequest) -> HttpResponse:
    """The intake screen. Opened from a ringing call (?ring=<key>) it starts with the number filled in."""
    if not may(request.user, "create", Contact):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    ring = services.ring_for_user(request.user, request.GET.get("ring", ""))
    if ring is not None:
        initial.update(caller_phone=ring.phone, channel=Channel.PHONE)
    form = ContactForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and (done := _save_contact(request, form, None)):
        return done
    phone = (request.POST.get("caller_phone") if request.method == "POST" else initial.get("caller_phone")) or ""
    context = {"form": form, "title": _("登记来电"), **_history_context(request.user, phone)}
    return render(request, "hotline/contact_form.html", context)


def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_user(request.user, Contact, pk, "edit")
    form = ContactForm(request.POST or None, user=request.user, instance=contact)
    if request.method == "POST" and (done := _save_contact(request, form, contact)):
        return done
    return render(request, "hotline/contact_form.html", {"form": form, "contact": contact, "title": _("编辑来电记录")})


@require_POST
def caller_history_fragment(request: HttpRequest) -> HttpResponse:
    """The "previous contacts" banner for the number typed on the intake screen (fetched by intake.js)."""
    if not may(request.user, "create", Contact):
        raise PermissionDenied
    phone = request.POST.get("phone", "")[:30]
    return render(request, "hotline/history_banner.html", _history_context(request.user, phone))


def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_user(request.user, Contact, pk)
    counselling = None
    if may(request.user, "view", CounsellingRecord):
        counselling = visible(request.user, CounsellingRecord).filter(contact=contact).first()
    request_ = getattr(contact, "online_request", None)
    recent, total, flags = (
        services.caller_history(request.user, contact.caller_phone) if contact.caller_phone else ([], 0, [])
    )
    return render(
        request,
        "hotline/contact_detail.html",
        {
            "contact": contact,
            "masked": contact.masked(),
            "counselling": counselling,
            "can_counsel": may(request.user, "create", CounsellingRecord),
            "online_request": request_,
            "history": [c for c in recent if c.pk != contact.pk],
            "history_total": max(total - 1, 0),
            "flags": flags,
            "can_edit": may(request.user, "edit", Contact),
            "can_reveal": may(request.user, "reveal", Contact),
            "can_open_case": _can_open_case(request.user) and contact.case_id is None,
            "reply_form": ReplyForm() if request_ is not None else None,
            "flag_form": FlagForm() if contact.caller_phone and may(request.user, "create", CallerFlag) else None,
        },
    )


def _can_open_case(user: Any) -> bool:
    from fulian.cases.models import Case

    return may(user, "create", Case)


@require_POST
@fresh_login_required
def contact_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field not in REVEALABLE:
        return redirect("hotline_contact_detail", pk=pk)
    contact = get_for_user(request.user, Contact, pk, "reveal", audit=False)
    with transaction.atomic():
        audit_record(action="contact.reveal", actor=request.user, target=contact, detail={"field": field})
    back = reverse("hotline_contact_detail", args=[contact.pk])
    return render(
        request, "security/reveal.html", {"label": REVEALABLE[field], "value": getattr(contact, field), "back": back}
    )


def counselling_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_user(request.user, Contact, pk)
    record = visible(request.user, CounsellingRecord).filter(contact=contact).first()
    if record is None and not may(request.user, "create", CounsellingRecord):
        raise PermissionDenied
    if record is not None and not may(request.user, "edit", CounsellingRecord):
        raise PermissionDenied
    initial = {}
    if record is not None:
        initial = {"risk_level": record.risk_level, "follow_up_on": record.follow_up_on, "version": record.version}
    form = CounsellingForm(request.POST or None, initial=initial)
    if record is not None:
        for name in ("presenting_problem", "risk_assessment", "intervention", "follow_up_plan"):
            form.fields[name].required = False
            if getattr(record, name):
                form.fields[name].help_text = _("已填写；留空则保持不变，填写则替换原内容")
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.counselling_save(
                actor=request.user, contact=contact, version=form.cleaned_data.get("version"), **data
            )
        except ValidationError as error:
            form.add_error(None, error)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("咨询记录已保存。"))
            return redirect("hotline_contact_detail", pk=contact.pk)
    return render(
        request,
        "hotline/simple_form.html",
        {"form": form, "title": _("心理咨询记录"), "back": reverse("hotline_contact_detail", args=[contact.pk])},
    )


@require_POST
def contact_flag(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_user(request.user, Contact, pk, audit=False)
    form = FlagForm(request.POST)
    if form.is_valid() and contact.caller_phone:
        try:
            services.caller_flag(
                actor=request.user,
                organisation=contact.organisation,
                phone=contact.caller_phone,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied):
            messages.error(request, _("无法标记该号码。"))
        else:
            messages.success(request, _("已标记该号码，今后来电时接线员会看到提示。"))
    else:
        messages.error(request, _("请选择标记类型。"))
    return redirect("hotline_contact_detail", pk=pk)


@require_POST
def contact_reply(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_user(request.user, Contact, pk, "edit", audit=False)
    online = getattr(contact, "online_request", None)
    if online is None:
        return redirect("hotline_contact_detail", pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        services.online_request_reply(
            actor=request.user, request=online, reply=form.cleaned_data["reply"], status=form.cleaned_data["status"]
        )
        messages.success(request, _("答复已保存，申请人可凭查询编号查看。"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("hotline_contact_detail", pk=pk)


# --- 来电弹屏 API ----------------------------------------------------------------------------------


@csrf_exempt  # a server-to-server call, authenticated by its bearer token instead of a cookie
@require_POST
def ring(request: HttpRequest) -> JsonResponse:
    """POST {"phone": "...", "operator": "<username>"} with `Authorization: Bearer <token>`.

    Answers the intake screen's address for that operator (naming a random key, not the number)
    and how many earlier contacts and flags the number has in the operator's scope."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    system = services.call_centre_for_token(header[7:].strip() if header.startswith("Bearer ") else "")
    if system is None:
        return JsonResponse({"error": _("令牌无效或已停用。")}, status=401)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": _("请求内容不是有效的 JSON。")}, status=400)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("phone"), str)
        or not isinstance(body.get("operator"), str)
    ):
        return JsonResponse({"error": _("需要 phone 和 operator 两个字符串字段。")}, status=400)
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.filter(username=body["operator"][:150], is_active=True).first()
    if operator is None:
        return JsonResponse({"error": _("找不到该接线员。")}, status=404)
    try:
        announced = services.ring_announce(system=system, phone=body["phone"][:30], operator=operator)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=422)
    recent, total, flags = services.caller_history(operator, announced.phone)
    url = request.build_absolute_uri(reverse("hotline_contact_add") + f"?ring={announced.key}")
    return JsonResponse(
        {
            "url": url,
            "previous_contacts": total,
            "last_contact": timezone.localtime(recent[0].received_at).isoformat() if recent else None,
            "flags": [f.kind for f in flags],
            "expires_in": int(services.RING_LIFETIME / dt.timedelta(seconds=1)),
        }
    )


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", contact_list, name="hotline_contact_list"),
        path("new/", contact_create, name="hotline_contact_add"),
        path("history/", caller_history_fragment, name="hotline_history"),
        path("<int:pk>/", contact_detail, name="hotline_contact_detail"),
        path("<int:pk>/edit/", contact_edit, name="hotline_contact_edit"),
        path("<int:pk>/reveal/<str:field>/", contact_reveal, name="hotline_contact_reveal"),
        path("<int:pk>/counselling/", counselling_edit, name="hotline_counselling"),
        path("<int:pk>/flag/", contact_flag, name="hotline_contact_flag"),
        path("<int:pk>/reply/", contact_reply, name="hotline_contact_reply"),
    ]
