"""Checks for labs/kms."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current

FIELDS = ("encrypted_key", "nonce", "ciphertext")


def envelope(envelope: dict, key_id: str, plaintext: bytes) -> Verdict:
    """``envelope`` holds only an encrypted data key (under ``key_id``), a nonce and AES-GCM ciphertext of
    ``plaintext``; KMS decrypts the data key and the data key decrypts the ciphertext."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    expect(envelope, "my_envelope", dict, "a dict {'encrypted_key': ..., 'nonce': ..., 'ciphertext': ...}")
    missing = [f for f in FIELDS if f not in envelope]
    if missing:
        return failed(f"my_envelope lacks {', '.join(missing)}: keep the encrypted data key, the nonce and the "
                      "ciphertext together.")
    if "plaintext_key" in envelope or "Plaintext" in envelope:
        return failed("my_envelope stores the plaintext data key: anyone who reads the file could decrypt it. "
                      "Keep only the CiphertextBlob of the data key.")
    not_bytes = [f for f in FIELDS if not isinstance(envelope[f], (bytes, bytearray))]
    if not_bytes:
        return failed(f"{', '.join(not_bytes)} should hold bytes (as generate_data_key, os.urandom and AESGCM return "
                      f"them), not {type(envelope[not_bytes[0]]).__name__}.")
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
