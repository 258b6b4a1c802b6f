"""Admin hooks of the portal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from wagtail import hooks


def _unreviewed(pages: list[Any]) -> list[str]:
    titles = []
    for page in pages:
        latest = page.specific.get_latest_revision_as_object()
        if hasattr(latest, "confidentiality_reviewed") and not latest.confidentiality_reviewed:
            titles.append(latest.title)
    return titles


def refuse_bulk_publish_without_review(
    request: HttpRequest, action_type: str, objects: list[Any], action_class_instance: Any
) -> HttpResponse | None:
    """The listing's bulk "publish" obeys the confidentiality review too, with a message instead of an error."""
    if action_type != "publish":
        return None
    pages = list(objects)
    if request.POST.get("include_descendants"):
        for page in objects:
            pages += list(page.get_descendants())
    titles = _unreviewed(pages)
    if not titles:
        return None
    messages.error(
        request,
        _("以下页面尚未通过保密审查，没有发布：%(titles)s。请逐一打开页面，核对并勾选“已通过保密审查”后再发布。")
        % {"titles": "、".join(titles)},
    )
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/pages/"
    return HttpResponseRedirect(target)


hooks.register("before_bulk_action", refuse_bulk_publish_without_review)
