"""Attachments: sealed at rest with either cipher, typed by their bytes, scoped like their record, audited."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fulian.audit.models import AuditEvent
from fulian.files.models import Attachment
from fulian.files.services import _path, attachment_add, attachment_read, attachments_of, sweep_orphans
from fulian.security import crypto
from fulian.security.rotation import rotate
from tests.factories import login_verified, make_org_tree, make_person, make_staff
from tests.security.test_crypto import AES, SM4

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + "陈晓梅验伤报告".encode() * 20


@pytest.fixture
def orgs(db):
    return make_org_tree()


@pytest.fixture
def person(orgs):
    return make_person(orgs["township"], name="陈晓梅")


@pytest.fixture
def owner(orgs):
    return make_staff("file_owner", orgs["county"], "caseworker")


@pytest.fixture
def colleague(orgs):
    return make_staff("file_colleague", orgs["city"], "supervisor")


@pytest.fixture
def outsider(orgs):
    return make_staff("file_outsider", orgs["sibling"], "caseworker")


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (30.0, 55.0, 0.0), 4: (117.0, 48.0, 0.0)}  # GPS: where the photo was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(("cipher", "keys", "current"), [("aes", AES, "test"), ("sm4", SM4, "s1")])
def test_round_trip_with_both_ciphers_and_nothing_readable_on_disk(use_keys, person, owner, cipher, keys, current):
    use_keys(cipher, keys, current)
    attachment = attachment_add(actor=owner, record=person, filename="陈晓梅验伤报告.pdf", data=PDF)
    stored = _path(attachment.blob).read_bytes()
    assert "陈晓梅".encode() not in stored
    assert b"%PDF" not in stored
    assert attachment.cipher == cipher
    assert attachment_read(actor=owner, attachment=Attachment.objects.get(pk=attachment.pk)) == PDF
    assert Attachment.objects.get(pk=attachment.pk).filename == "陈晓梅验伤报告.pdf"


def test_a_tampered_file_fails_loudly(person, owner):
    attachment = attachment_add(actor=owner, record=person, filename="a.pdf", data=PDF)
    path = _path(attachment.blob)
    sealed = bytearray(path.read_bytes())
    sealed[40] ^= 1
    path.write_bytes(bytes(sealed))
    with pytest.raises(crypto.DecryptionError):
        attachment_read(actor=owner, attachment=attachment)


def test_sealed_bytes_moved_to_another_attachment_do_not_open(person, owner):
    first = attachment_add(actor=owner, record=person, filename="a.pdf", data=PDF)
    second = attachment_add(actor=owner, record=person, filename="b.pdf", data=PDF + b"x")
    _path(second.blob).write_bytes(_path(first.blob).read_bytes())
    with pytest.raises(crypto.DecryptionError):
        attachment_read(actor=owner, attachment=second)


def test_key_rotation_rewraps_the_file_key_and_the_file_still_opens(use_keys, person, owner):
    use_keys("aes", AES, "old")
    attachment = attachment_add(actor=owner, record=person, filename="a.pdf", data=PDF)
    before = _path(attachment.blob).read_bytes()
    use_keys("aes", AES, "test")
    rotate()
    with __import__("django.db").db.connection.cursor() as cursor:
        cursor.execute("SELECT data_key FROM fulian_files_attachment WHERE id = %s", [attachment.pk])
        assert crypto.key_id_of(cursor.fetchone()[0]) == "test"
    assert _path(attachment.blob).read_bytes() == before  # the file itself is not rewritten
    assert attachment_read(actor=owner, attachment=Attachment.objects.get(pk=attachment.pk)) == PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a program", "不符"),
        ("virus.exe", b"MZ\x90\x00", "不支持"),
        ("empty.pdf", b"", "空"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 broken", "损坏"),
        ("sheet.xlsx", b"PK\x03\x04 not a zip", "不符"),
        ("", PDF, "文件名"),
    ],
)
def test_bad_uploads_get_a_chinese_reason_and_store_nothing(person, owner, name, data, message):
    with pytest.raises(ValidationError, match=message):
        attachment_add(actor=owner, record=person, filename=name, data=data)
    assert not Attachment.objects.exists()


def test_too_big_is_refused(person, owner, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="太大"):
        attachment_add(actor=owner, record=person, filename="a.pdf", data=PDF * 10)


def test_photos_lose_their_location(person, owner):
    photo = _photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get(0x8825)
    attachment = attachment_add(actor=owner, record=person, filename="伤情.jpg", data=photo)
    stored = attachment_read(actor=owner, attachment=attachment)
    image = Image.open(io.BytesIO(stored))
    assert image.size == (40, 30)
    assert not image.getexif()


def test_the_record_scope_decides_who_downloads(person, owner, colleague, outsider):
    attachment = attachment_add(actor=owner, record=person, filename="陈晓梅.pdf", data=PDF)
    for user, status in ((owner, 200), (colleague, 200), (outsider, 404)):
        response = login_verified(Client(), user).get(f"/admin/files/{attachment.pk}/")
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert "no-store" in response["Cache-Control"]
            assert "attachment" in response["Content-Disposition"]
    assert login_verified(Client(), owner).get("/admin/files/999999/").status_code == 404
    downloads = AuditEvent.objects.filter(action="attachment.download")
    assert sorted(downloads.values_list("actor_username", flat=True)) == ["file_colleague", "file_owner"]


def test_upload_and_remove_through_the_person_page(person, owner, outsider):
    client = login_verified(Client(), owner)
    page = f"/admin/people/{person.pk}/"
    assert "上传附件" in client.get(page).content.decode()
    upload_url = client.get(page).content.decode().split('action="/admin/files/upload/')[1].split('"')[0]
    upload_url = "/admin/files/upload/" + upload_url
    response = client.post(upload_url, {"file": SimpleUploadedFile("报告.pdf", PDF), "next": page}, follow=True)
    assert "已上传" in response.content.decode()
    attachment = attachments_of(person).get()
    assert AuditEvent.objects.filter(action="attachment.add", target_id=str(person.pk)).exists()
    # Bad input is a message on the same page, not an error page.
    response = client.post(upload_url, {"file": SimpleUploadedFile("x.pdf", b"GIF89a"), "next": page}, follow=True)
    assert response.status_code == 200
    assert "不符" in response.content.decode()
    # The outsider can neither add to nor remove from a record outside their scope.
    other = login_verified(Client(), outsider)
    assert other.post(upload_url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert other.post(f"/admin/files/{attachment.pk}/remove/").status_code == 404
    response = client.post(f"/admin/files/{attachment.pk}/remove/", {"next": page})
    assert response.status_code == 302
    assert not attachments_of(person).exists()
    assert AuditEvent.objects.filter(action="attachment.remove").exists()


def test_a_tampered_file_is_a_clear_page_not_an_error(person, owner):
    attachment = attachment_add(actor=owner, record=person, filename="a.pdf", data=PDF)
    _path(attachment.blob).write_bytes(b"\x00" * 64)
    response = login_verified(Client(), owner).get(f"/admin/files/{attachment.pk}/")
    assert response.status_code == 409


def test_sweeping_removes_only_files_without_a_row(person, owner, settings, tmp_path):
    import datetime as dt

    kept = attachment_add(actor=owner, record=person, filename="a.pdf", data=PDF)
    orphan = _path("ab" + "0" * 38)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left over")
    assert sweep_orphans(older_than=dt.timedelta(seconds=-60)) == 1
    assert not orphan.exists()
    assert _path(kept.blob).exists()
