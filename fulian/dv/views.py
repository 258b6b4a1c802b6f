"""Warning letters and protection orders in the back office: the operations on a case, the printable
application draft, and the sections this app adds to the case page and to "my work".

Every view fetches the case with `get_for_user` (missing and forbidden alike are 404) and then the
letter or order filtered by that case, so an id from another case is 404 too. URLs carry ids only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from fulian.audit.services import audit_record
from fulian.cases.models import Case, Party, PartyRole
from fulian.cases.privacy import HIDDEN, may_see_parties
from fulian.dv import forms as f
from fulian.dv import services as s
from fulian.dv.models import EXPIRY_NOTICE_DAYS, BehalfReason, Measure, Outcome, ProtectionOrder, WarningLetter
from fulian.lib.forms import Sent, submit_once
from fulian.security.access import get_for_user, may, scope

FORM_TEMPLATE = "hotline/simple_form.html"


def _case(request: HttpRequest, case_pk: int, action: str = "edit") -> Case:
    case = get_for_user(request.user, Case, case_pk, action, audit=False)
    # The measures name the people of the case: in a minor-protection case, only its own caseworker
    # and supervisors work them (fulian/cases/privacy.py).
    if not may_see_parties(request.user, case):
        raise Http404
    return case


def _letter(case: Case, pk: int) -> WarningLetter:
    letter = WarningLetter.objects.filter(pk=pk, case=case).first()
    if letter is None:
        raise Http404
    letter.case = case
    return letter


def _order(case: Case, pk: int) -> ProtectionOrder:
    order = ProtectionOrder.objects.filter(pk=pk, case=case).first()
    if order is None:
        raise Http404
    order.case = case
    return order


def _back(case: Case) -> str:
    return reverse("cases_case_detail", args=[case.pk])


def _run(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    title: Any,
    run: Callable[[dict[str, Any]], Any],
    *,
    intro: str = "",
) -> HttpResponse:
    """Validate, claim the form's once-token (create forms), run the service, show its errors in place."""
    if request.method == "POST" and form.is_valid():
        sent, _result = submit_once(request.user, form, run, denied=_("您没有进行该操作的权限。"))
        if sent is Sent.DUPLICATE:
            messages.info(request, _("该内容已经提交过，未重复保存。"))
            return redirect(_back(case))
        if sent is Sent.DONE:
            messages.success(request, _("已保存。"))
            return redirect(_back(case))
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": f"{case.number} · {title}", "intro": intro, "back": _back(case)},
    )


NEEDS_PARTIES = gettext_lazy("请先在个案中添加受害人和身份为“加害人”的当事人，再登记。")


def _party_intro(case: Case) -> str:
    roles = set(case.parties.values_list("role", flat=True))
    return str(NEEDS_PARTIES) if PartyRole.ALLEGED not in roles or not roles - {PartyRole.ALLEGED} else ""


# --- warning letters -----------------------------------------------------------------------------


def letter_add(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    form = f.LetterAddForm(request.POST or None, case=case)
    return _run(
        request, case, form, _("登记告诫书"),
        lambda d: s.letter_record(actor=request.user, case=case, **d), intro=_party_intro(case),
    )  # fmt: skip


def letter_edit(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    letter = _letter(case, pk)
    initial = {name: getattr(letter, name) for name in s.LETTER_FIELDS}
    form = f.LetterForm(request.POST or None, case=case, initial=initial)
    return _run(request, case, form, _("修改告诫书"), lambda d: s.letter_update(actor=request.user, letter=letter, **d))


def visit_add(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    letter = _letter(case, pk)
    form = f.VisitForm(request.POST or None)
    return _run(
        request, case, form, _("记录告诫书查访"), lambda d: s.visit_record(actor=request.user, letter=letter, **d),
        intro=_("告诫书出具日期：%(d)s。公安机关应当会同居（村）民委员会查访，监督加害人不再实施家庭暴力。")
        % {"d": letter.issued_on.isoformat()},
    )  # fmt: skip


# --- protection orders ----------------------------------------------------------------------------


def order_add(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    form = f.OrderForm(request.POST or None, case=case, initial={"applied_at": timezone.localtime()})
    return _run(
        request, case, form, _("申请人身安全保护令"),
        lambda d: s.order_apply(actor=request.user, case=case, **d), intro=_party_intro(case),
    )  # fmt: skip


def order_ruling(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    order = _order(case, pk)
    if order.outcome != Outcome.PENDING:
        messages.error(request, _("该申请已有裁定结果。"))
        return redirect(_back(case))
    form = f.RulingForm(request.POST or None, initial={"measures_granted": order.measures_requested})
    intro = _("申请时间：%(a)s；应于 %(due)s 前裁定。") % {
        "a": s.local_time(order.applied_at), "due": s.local_time(order.ruling_due),
    }  # fmt: skip
    return _run(
        request, case, form, _("登记法院裁定"), lambda d: s.order_rule(actor=request.user, order=order, **d),
        intro=intro,
    )  # fmt: skip


def _granted_only(request: HttpRequest, case: Case, order: ProtectionOrder) -> HttpResponse | None:
    if order.outcome != Outcome.GRANTED or order.revoked_on is not None:
        messages.error(request, _("只有法院已准予且未撤销的保护令才能进行该操作。"))
        return redirect(_back(case))
    return None


def order_extend(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    order = _order(case, pk)
    if refused := _granted_only(request, case, order):
        return refused
    form = f.ExtendForm(request.POST or None)
    current = order.valid_until
    intro = (
        _("当前有效期至 %(d)s；延长后最长至 %(max)s。")
        % {"d": current.isoformat(), "max": s.latest_valid_until(current).isoformat()}
        if current
        else ""
    )
    return _run(
        request, case, form, _("登记保护令延长"), lambda d: s.order_extend(actor=request.user, order=order, **d),
        intro=intro,
    )  # fmt: skip


def order_revoke(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    order = _order(case, pk)
    if refused := _granted_only(request, case, order):
        return refused
    form = f.RevokeForm(request.POST or None)
    return _run(
        request, case, form, _("登记保护令撤销"), lambda d: s.order_revoke(actor=request.user, order=order, **d)
    )


def violation_add(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    order = _order(case, pk)
    if order.outcome != Outcome.GRANTED:
        messages.error(request, _("只有法院已准予的保护令才能记录违反情况。"))
        return redirect(_back(case))
    form = f.ViolationForm(request.POST or None)
    return _run(
        request, case, form, _("记录违反保护令"),
        lambda d: s.violation_record(actor=request.user, order=order, **d),
        intro=_("被申请人违反人身安全保护令的，应及时报告公安机关和作出裁定的人民法院。"),
    )  # fmt: skip


@never_cache
def order_draft(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """The application (申请书) assembled from the case, to print: it shows personal data in full,
    so it needs the right to edit the case, and each opening is audited."""
    case = _case(request, case_pk)
    order = _order(case, pk)
    applicant = Party.objects.get(pk=order.applicant_id, case=case)
    respondent = Party.objects.get(pk=order.respondent_id, case=case)
    with transaction.atomic():
        audit_record(action="dv.order_draft", actor=request.user, target=case, detail={"order": order.pk})
    measures = [(Measure(code).label, code == Measure.OTHER) for code in order.measures_requested]
    return render(
        request,
        "dv/order_draft.html",
        {
            "case": case,
            "order": order,
            "applicant": applicant,
            "respondent": respondent,
            "measures": measures,
            "incidents": case.incidents.all(),
            "behalf_reason": BehalfReason(order.behalf_reason).label if order.on_behalf else "",
            "today": timezone.localdate(),
        },
    )


# --- the sections on the case page and on "my work" ----------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    order: ProtectionOrder
    status: Any
    overdue: bool
    expiring: bool
    measures: list[Any]


def case_panel(request: HttpRequest, case: Case) -> str | None:
    """反家暴措施 on the case page: letters with their visits, orders with their state and operations."""
    user: Any = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    letters = list(
        case.warning_letters.select_related("abuser", "victim").prefetch_related("visits").order_by("issued_on", "pk")
    )
    orders = list(
        case.protection_orders.select_related("applicant", "respondent")
        .prefetch_related("extensions", "violations")
        .order_by("applied_at", "pk")
    )
    rows = [
        OrderRow(
            order=order,
            status=order.status_label(today),
            overdue=order.ruling_overdue(now),
            expiring=order.expiring(today),
            measures=order.measure_labels("granted" if order.granted else "requested"),
        )
        for order in orders
    ]
    return render_to_string(
        "dv/case_panel.html",
        {
            "case": case,
            "letters": letters,
            "rows": rows,
            "sees_child": (sees := may_see_parties(user, case)),
            "can_edit": may(user, "edit", Case) and case.is_open and sees,
            "hidden": HIDDEN,
            "today": today,
        },
        request=request,
    )


def my_work_section(request: HttpRequest, today: dt.date) -> str | None:
    """保护令提醒 on "my work": orders whose ruling is overdue or which expire within 14 days —
    of the user's own cases, or, for supervisors, of every case in their scope."""
    user: Any = request.user
    if not may(user, "view", Case):
        return None
    now = timezone.now()
    orders = ProtectionOrder.objects.filter(scope(user, Case, via="case__"))
    if not user.has_perm("fulian_cases.approve_case"):
        orders = orders.filter(case__caseworker=user.pk)
    shown = ("pk", "case_id", "case__id", "case__number", "court", "urgent", "ruling_due", "valid_until", "outcome")
    overdue = list(
        orders.filter(outcome=Outcome.PENDING, ruling_due__lt=now)
        .select_related("case")
        .only(*shown)
        .order_by("ruling_due")[:50]
    )
    expiring = list(
        orders.filter(
            outcome=Outcome.GRANTED,
            revoked_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=EXPIRY_NOTICE_DAYS),
        )
        .select_related("case")
        .only(*shown)
        .order_by("valid_until")[:50]
    )
    if not (overdue or expiring):
        return None
    return render_to_string(
        "dv/my_work_section.html", {"overdue": overdue, "expiring": expiring, "today": today}, request=request
    )


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("cases/<int:case_pk>/letters/new/", letter_add, name="dv_letter_add"),
        path("cases/<int:case_pk>/letters/<int:pk>/edit/", letter_edit, name="dv_letter_edit"),
        path("cases/<int:case_pk>/letters/<int:pk>/visits/new/", visit_add, name="dv_visit_add"),
        path("cases/<int:case_pk>/orders/new/", order_add, name="dv_order_add"),
        path("cases/<int:case_pk>/orders/<int:pk>/ruling/", order_ruling, name="dv_order_ruling"),
        path("cases/<int:case_pk>/orders/<int:pk>/extend/", order_extend, name="dv_order_extend"),
        path("cases/<int:case_pk>/orders/<int:pk>/revoke/", order_revoke, name="dv_order_revoke"),
        path("cases/<int:case_pk>/orders/<int:pk>/violations/new/", violation_add, name="dv_violation_add"),
        path("cases/<int:case_pk>/orders/<int:pk>/draft/", order_draft, name="dv_order_draft"),
    ]
