"""labs/kms: the envelope check accepts a real envelope and explains what is wrong with a broken one."""
from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from labkit.checks import evaluate
from labkit.exercises import kms as checks

MESSAGE = b"launch codes: 0000"


@pytest.fixture()
def keys(engine):
    kms = engine.client("kms")
    ids = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2)]
    yield ids
    for key in ids:
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)


def make(engine, key, message=MESSAGE, **changes):
    data_key = engine.client("kms").generate_data_key(KeyId=key, KeySpec="AES_256")
    nonce = os.urandom(12)
    env = {"encrypted_key": data_key["CiphertextBlob"], "nonce": nonce,
           "ciphertext": AESGCM(data_key["Plaintext"]).encrypt(nonce, message, None)}
    env.update(changes)
    return env, data_key


def test_real_envelope_passes(engine, keys):
    env, _ = make(engine, keys[0])
    assert checks.envelope(env, keys[0], MESSAGE).passed


def test_plaintext_key_stored_fails(engine, keys):
    env, data_key = make(engine, keys[0])
    env["plaintext_key"] = data_key["Plaintext"]
    verdict = checks.envelope(env, keys[0], MESSAGE)
    assert not verdict.passed and "stores the plaintext data key" in verdict.message


def test_wrong_key_fails(engine, keys):
    env, _ = make(engine, keys[1])
    verdict = checks.envelope(env, keys[0], MESSAGE)
    assert not verdict.passed and "not under the lab's key" in verdict.message


def test_unencrypted_message_fails(engine, keys):
    env, _ = make(engine, keys[0], ciphertext=MESSAGE)
    verdict = checks.envelope(env, keys[0], MESSAGE)
    assert not verdict.passed and "appears in clear" in verdict.message


def test_wrong_nonce_fails(engine, keys):
    env, _ = make(engine, keys[0], nonce=os.urandom(12))
    verdict = checks.envelope(env, keys[0], MESSAGE)
    assert not verdict.passed and "does not decrypt" in verdict.message


def test_other_message_fails(engine, keys):
    env, _ = make(engine, keys[0], message=b"something else")
    verdict = checks.envelope(env, keys[0], MESSAGE)
    assert not verdict.passed and "not to the message" in verdict.message


def test_missing_field_and_none_fail(engine, keys):
    env, _ = make(engine, keys[0])
    del env["nonce"]
    assert "lacks nonce" in checks.envelope(env, keys[0], MESSAGE).message
    assert evaluate(checks.envelope, None, keys[0], MESSAGE).kind == "failed"


def test_text_instead_of_bytes_fails(engine, keys):
    env, _ = make(engine, keys[0])
    env["nonce"] = env["nonce"].hex()
    verdict = evaluate(checks.envelope, env, keys[0], MESSAGE)
    assert verdict.kind == "failed" and "nonce should hold bytes" in verdict.message
