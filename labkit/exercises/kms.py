"""Checks for labs/kms."""
from __future__ import annotations

from ..checks import Verdict, failed, passed
from ..engines import current

FIELDS = ("encrypted_key", "nonce", "ciphertext")


def envelope(envelope: dict, key_id: str, plaintext: bytes) -> Verdict:
    """``envelope`` holds only an encrypted data key (under ``key_id``), a nonce and AES-GCM ciphertext of
    ``plaintext``; KMS decrypts the data key and the data key decrypts the ciphertext."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(envelope, dict):
        return failed("my_envelope is not a dict yet: build {'encrypted_key': ..., 'nonce': ..., 'ciphertext': ...}.")
    missing = [f for f in FIELDS if f not in envelope]
    if missing:
        return failed(f"my_envelope lacks {', '.join(missing)}: keep the encrypted data key, the nonce and the "
                      "ciphertext together.")
    if "plaintext_key" in envelope or "Plaintext" in envelope:
        return failed("my_envelope stores the plaintext data key: anyone who reads the file could decrypt it. "
                      "Keep only the CiphertextBlob of the data key.")
    if bytes(plaintext) in bytes(envelope["ciphertext"]):
        return failed("The message appears in clear inside 'ciphertext': encrypt it with AESGCM first.")
    kms = current().client("kms")
    wanted = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    answer = kms.decrypt(CiphertextBlob=bytes(envelope["encrypted_key"]))
    if answer["KeyId"] != wanted:
        return failed(f"The data key was encrypted under {answer['KeyId']}, not under the lab's key {key_id}. "
                      "Pass KeyId=my_key (the alias works too) to generate_data_key.")
    data_key = answer["Plaintext"]
    for field in ("nonce", "ciphertext", "encrypted_key"):
        if data_key in bytes(envelope[field]):
            return failed(f"The plaintext data key is inside '{field}': store only the encrypted data key.")
    try:
        recovered = AESGCM(data_key).decrypt(bytes(envelope["nonce"]), bytes(envelope["ciphertext"]), None)
    except (InvalidTag, ValueError):
        return failed("KMS returned the data key, but it does not decrypt 'ciphertext' with that nonce (AES-GCM, no "
                      "associated data). Encrypt with AESGCM(data_key['Plaintext']) and the same nonce you store.")
    if recovered != bytes(plaintext):
        return failed(f"The envelope decrypts to {recovered[:40]!r}, not to the message you were given.")
    return passed("KMS unwrapped your data key and the data key decrypted the message: a working envelope, "
                  "with no plaintext key stored.")
