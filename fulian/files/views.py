"""Upload, download and remove attachments; each goes through the record's access check."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.files.services import attachment_add, attachment_for_user, attachment_read, attachment_remove
from fulian.security.access import ScopedRecord, get_for_user


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return redirect(target)


@require_POST
def upload(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None or not issubclass(model, ScopedRecord):
        raise Http404
    record = get_for_user(request.user, model, object_id, "edit", audit=False)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
        return _back(request)
    try:
        attachment_add(actor=request.user, record=record, filename=upload.name or "", data=upload.read())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("附件已上传并加密保存。"))
    return _back(request)


def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = attachment_for_user(request.user, pk)
    data = attachment_read(actor=request.user, attachment=attachment)
    response = FileResponse(
        io.BytesIO(data), as_attachment=True, filename=attachment.filename, content_type=attachment.media_type
    )
    # Never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = attachment_for_user(request.user, pk, "edit")
    try:
        attachment_remove(actor=request.user, attachment=attachment)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("附件已删除。"))
    return _back(request)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("files/<int:pk>/", download, name="files_download"),
        path("files/<int:pk>/remove/", remove, name="files_remove"),
        path("files/upload/<int:content_type_id>/<int:object_id>/", upload, name="files_upload"),
    ]
