"""服务对象 in the admin: lists masked and scoped, forms through the services, reveal audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fulian.accounts.reauth import fresh_login_required
from fulian.audit.services import audit_list_read
from fulian.people.forms import PersonForm
from fulian.people.models import Person
from fulian.people.services import person_create, person_reveal, person_update
from fulian.security.access import EditConflict, get_for_user, may, visible
from fulian.security.blind import blind_index
from fulian.security.identity import id_number_problem, normalise_phone

PAGE_SIZE = 50


def person_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", Person):
        raise PermissionDenied
    people = visible(request.user, Person).select_related("organisation").order_by("-updated_at")
    # A phone or ID number is personal data: it comes in a POST body, never in the address bar or logs.
    query = " ".join(request.POST.get("q", "").split())[:40] if request.method == "POST" else ""
    message = ""
    if query:
        # Personal fields are encrypted: exact lookups by phone or ID number go through their blind indexes.
        if not id_number_problem(query):
            people = people.filter(id_number_index=blind_index("id_number", query))
        elif 7 <= len(normalise_phone(query)) <= 12:
            people = people.filter(phone_index=blind_index("phone", query))
        else:
            people = people.none()
            message = _("请输入完整的手机号或身份证号查找（个人信息已加密，不能按片段搜索）。")
    page = list(people[:PAGE_SIZE])
    rows = [(person, person.masked()) for person in page]
    audit_list_read(
        actor=request.user,
        model=Person,
        shown=page,
        lookup="id_number" if query and not id_number_problem(query) else "phone" if query else "",
    )
    return render(
        request,
        "people/person_list.html",
        {"rows": rows, "query": query, "message": message, "can_create": may(request.user, "create", Person)},
    )


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(request.user, Person, pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "masked": person.masked(),
            "can_edit": may(request.user, "edit", Person),
            "can_reveal": may(request.user, "reveal", Person),
        },
    )


@require_POST
@fresh_login_required
def person_reveal_view(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    person = get_for_user(request.user, Person, pk, "reveal", audit=False)
    try:
        value = person_reveal(actor=request.user, person=person, field=field)
    except ValidationError:
        return redirect("people_person_detail", pk=pk)
    labels = {
        "name": _("姓名"),
        "id_number": _("身份证号"),
        "phone": _("电话"),
        "address": _("住址"),
        "notes": _("情况说明"),
    }
    back = reverse("people_person_detail", args=[person.pk])
    return render(request, "security/reveal.html", {"label": labels[field], "value": value, "back": back})


def _save(request: HttpRequest, form: PersonForm, person: Person | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        if person is None:
            data = form.changes()
            organisation = data.pop("organisation")
            saved = person_create(actor=request.user, organisation=organisation, **data)
        else:
            data = form.changes()
            data["organisation_id"] = data.pop("organisation").pk
            saved = person_update(actor=request.user, person=person, version=form.cleaned_data["version"] or 0, **data)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
        return None
    messages.success(request, _("已保存。"))
    return redirect("people_person_detail", pk=saved.pk)


def person_create_view(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "create", Person):
        raise PermissionDenied
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and (done := _save(request, form, None)):
        return done
    return render(request, "people/person_form.html", {"form": form, "title": _("登记服务对象")})


def person_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(request.user, Person, pk, "edit")
    form = PersonForm(request.POST or None, user=request.user, instance=person)
    if request.method == "POST" and (done := _save(request, form, person)):
        return done
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": _("编辑服务对象")})


TITLE = gettext_lazy("服务对象")


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", person_list, name="people_person_list"),
        path("add/", person_create_view, name="people_person_add"),
        path("<int:pk>/", person_detail, name="people_person_detail"),
        path("<int:pk>/edit/", person_edit_view, name="people_person_edit"),
        path("<int:pk>/reveal/<str:field>/", person_reveal_view, name="people_person_reveal"),
    ]


def list_url() -> str:
    return reverse("people_person_list")
