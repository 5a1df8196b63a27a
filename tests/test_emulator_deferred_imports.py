"""labkit/emulator/deferred_imports.py: cryptography.x509 runs when first used, not when moto's IAM imports it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

PROBE = r'''
import json, sys
import labkit
labkit.lambda_role()  # IAM: moto.iam.models runs "from cryptography import x509"
labkit.client("lambda").list_functions()
x509 = sys.modules["cryptography.x509"]
found = {"deferred": type(x509).__name__, "rust_loaded": "cryptography.hazmat.bindings._rust" in sys.modules,
         "scan": getattr(x509, "camelcase_to_underscores", "missing")}  # what a sys.modules scan reads
found["rust_after_scan"] = "cryptography.hazmat.bindings._rust" in sys.modules

import datetime
from cryptography import x509 as real
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

key = ec.generate_private_key(ec.SECP256R1())
name = real.Name([real.NameAttribute(NameOID.COMMON_NAME, "lab.example.com")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (real.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(real.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
iam = labkit.client("iam")
iam.upload_server_certificate(
    ServerCertificateName=labkit.name("cert"), CertificateBody=cert.public_bytes(serialization.Encoding.PEM).decode(),
    PrivateKey=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode())
found["after_use"] = type(sys.modules["cryptography.x509"]).__name__
found["same_module"] = sys.modules["cryptography.x509"] is x509 is real
print(json.dumps(found))
'''


def test_iam_loads_without_cryptography_x509_until_a_certificate_is_parsed():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LABKIT_ENGINE": "embedded"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["deferred"] == "DeferredModule" and found["rust_loaded"] is False
    assert found["scan"] == "missing" and found["rust_after_scan"] is False
    assert found["after_use"] == "module" and found["same_module"] is True  # then the ordinary module, in place


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    """A module that counts how many times its code ran (in ``sys.labkit_probe_runs``)."""
    (tmp_path / "labkit_deferred_probe.py").write_text(
        "import sys, time\n"
        "sys.labkit_probe_runs = getattr(sys, 'labkit_probe_runs', 0) + 1\n"
        "time.sleep(0.2)  # long enough for the other threads to arrive while it runs\n"
        "VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "labkit_probe_runs", 0, raising=False)
    yield "labkit_deferred_probe"
    sys.modules.pop("labkit_deferred_probe", None)


def test_a_deferred_module_runs_once_when_a_name_is_read_even_from_many_threads(probe_module):
    from labkit.emulator.deferred_imports import DeferredModule, defer

    assert defer(probe_module) is True
    module = sys.modules[probe_module]
    assert isinstance(module, DeferredModule) and sys.labkit_probe_runs == 0
    with pytest.raises(AttributeError):
        module.NOT_DEFINED  # noqa: B018 - a name the source does not bind: no run
    assert sys.labkit_probe_runs == 0
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(module.VALUE)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [42] * 8 and sys.labkit_probe_runs == 1
    assert type(module) is type(sys) and defer(probe_module) is False  # an ordinary module, imported already


CHARSET_PROBE = r'''
import json, sys, warnings
warnings.simplefilter("error")  # requests warns when it cannot read its encoding detector's version
import labkit
labkit.client("s3").list_buckets()  # the engine has started: moto's core has imported responses and requests
import requests
detector = sys.modules["charset_normalizer"]
found = {"deferred": type(detector).__name__, "api_loaded": "charset_normalizer.api" in sys.modules,
         "version": detector.__version__, "requests_uses_it": requests.compat.chardet is detector}
answer = requests.models.Response()
answer._content = "Grüße aus Köln: ça va, Ünïcödé?".encode("utf-8")  # no charset named: requests guesses
found["guessed"] = answer.apparent_encoding
found["after_use"] = type(sys.modules["charset_normalizer"]).__name__
found["idna"] = type(sys.modules["idna"]).__name__
found["idna_url"] = requests.Request("GET", "http://bücher.example/").prepare().url  # a non-ASCII host: idna runs
found["idna_after_use"] = type(sys.modules["idna"]).__name__
print(json.dumps(found))
'''


def test_requests_loads_without_its_encoding_detector_and_idna_until_it_needs_them():
    from importlib.metadata import version

    done = subprocess.run([sys.executable, "-c", CHARSET_PROBE], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LABKIT_ENGINE": "embedded"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["deferred"] == "DeferredModule" and found["api_loaded"] is False and found["requests_uses_it"]
    assert found["version"] == version("charset-normalizer")  # requests' compatibility check read the real one
    assert found["guessed"] == "utf-8" and found["after_use"] == "module"
    assert found["idna"] == "DeferredModule" and found["idna_after_use"] == "module"
    assert found["idna_url"] == "http://xn--bcher-kva.example/"
