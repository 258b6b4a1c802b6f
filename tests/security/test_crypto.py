"""Encryption at rest: both ciphers, tampering, wrong keys, column binding, key rotation."""

from __future__ import annotations

import pytest
from django.db import connection

from fulian.people.models import Person
from fulian.security import crypto
from fulian.security.rotation import rotate
from tests.factories import make_person

pytestmark = pytest.mark.django_db

# Test keys; the `use_keys` fixture (tests/conftest.py) switches the keyring to them.
AES = "old=b2xkLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0=,test=dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0tLS0tLS0tLS0="
SM4 = "s1=c200LXRlc3Qta2V5LTE2Qg=="


def _raw(person: Person, column: str = "name") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM fulian_people_person WHERE id = %s", [person.pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.parametrize(("cipher", "keys", "current"), [("aes", AES, "test"), ("sm4", SM4, "s1")])
def test_round_trip_and_nothing_readable_in_the_database(orgs, use_keys, cipher, keys, current):
    use_keys(cipher, keys, current)
    person = make_person(orgs["county"], name="王小红", address="铜官区某街道 12 号")
    raw = _raw(person)
    assert raw.startswith(f"enc1${cipher}${current}$")
    assert "王小红" not in raw
    assert "铜官区" not in _raw(person, "address")
    assert Person.objects.get(pk=person.pk).name == "王小红"


def test_the_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("王小红", context="x") != crypto.encrypt("王小红", context="x")


@pytest.mark.parametrize("byte", [0, 12, 15, -1])  # nonce, ciphertext, ciphertext, tag
def test_tampered_ciphertext_fails_loudly(byte):
    import base64

    prefix, _sep, encoded = crypto.encrypt("王小红", context="people.name").rpartition("$")
    raw = bytearray(base64.b64decode(encoded))
    raw[byte] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}${base64.b64encode(bytes(raw)).decode()}", context="people.name")


def test_every_character_of_the_stored_value_matters():
    value = crypto.encrypt("王小红", context="people.name")
    start = value.rindex("$") + 1
    for position in range(start, len(value)):
        if value[position] == "=":
            continue
        for replacement in "AB":
            if replacement != value[position]:
                changed = value[:position] + replacement + value[position + 1 :]
                with pytest.raises(crypto.DecryptionError):
                    crypto.decrypt(changed, context="people.name")


def test_a_value_moved_to_another_column_does_not_decrypt():
    value = crypto.encrypt("13812345678", context="fulian_people.person.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(value, context="fulian_people.person.name")


def test_a_wrong_or_missing_key_fails_loudly(use_keys):
    value = crypto.encrypt("王小红", context="c")
    use_keys("aes", "test=" + crypto.new_key(), "test")  # same id, different key
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(value, context="c")
    use_keys("aes", "other=" + crypto.new_key(), "other")
    with pytest.raises(crypto.DecryptionError, match="no key"):
        crypto.decrypt(value, context="c")


def test_truncated_and_garbage_values_fail_loudly():
    for bad in [
        "enc1$aes$test$",
        "enc1$aes$test$!!!",
        "enc1$aes$test$AAAA",
        "plain text",
        "enc1$des$test$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ]:
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(bad, context="c")


def test_key_rotation_interrupted_and_resumed(orgs, use_keys):
    use_keys("aes", AES, "old")
    people = [make_person(orgs["county"], name=f"测试{n}", notes=f"情况{n}") for n in range(5)]
    assert all(_raw(p).startswith("enc1$aes$old$") for p in people)
    use_keys("aes", AES, "test")
    rotate(batch=2, max_batches=1)  # stopped after one batch
    keys = [crypto.key_id_of(_raw(p)) for p in people]
    assert keys.count("test") == 2
    assert keys.count("old") == 3
    rotate(batch=2)  # the next run resumes
    assert all(crypto.key_id_of(_raw(p)) == "test" and crypto.key_id_of(_raw(p, "notes")) == "test" for p in people)
    assert [Person.objects.get(pk=p.pk).notes for p in people] == [f"情况{n}" for n in range(5)]
    assert rotate(batch=2)[0].rows == 0  # nothing left to do


def test_switching_cipher_rotates_to_sm4(orgs, use_keys):
    person = make_person(orgs["county"], name="李四")
    use_keys("sm4", SM4 + "," + AES, "s1")
    rotate()
    assert _raw(person).startswith("enc1$sm4$s1$")
    assert Person.objects.get(pk=person.pk).name == "李四"
