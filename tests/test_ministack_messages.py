"""A misconfigured MiniStack Python gets labkit's one-sentence answer, not a traceback (no MiniStack is started)."""
import importlib.util
import sys

import pytest

from labkit.engines.ministack import MiniStackEngine
from labkit.errors import EngineUnavailable


def test_missing_ministack_python_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("LABKIT_MINISTACK_PYTHON", str(tmp_path / "no-such-python"))
    with pytest.raises(EngineUnavailable, match=r"MiniStack could not start: .*no-such-python does not run"):
        MiniStackEngine("us-east-1").start()


@pytest.mark.skipif(importlib.util.find_spec("ministack") is not None, reason="this Python has ministack")
def test_ministack_python_without_ministack_names_the_setting(monkeypatch):
    monkeypatch.setenv("LABKIT_MINISTACK_PYTHON", sys.executable)
    with pytest.raises(EngineUnavailable, match=r"^LABKIT_MINISTACK_PYTHON=.* has no ministack==1\.5\.33: unset it"):
        MiniStackEngine("us-east-1").start()


def test_failed_install_is_one_line_not_a_traceback(monkeypatch, capsys):
    import subprocess

    from labkit.engines import ministack

    def offline(*args, **kwargs):
        raise subprocess.CalledProcessError(1, ["pip", "install", "-q", "ministack==1.5.33"])

    monkeypatch.setattr(ministack, "install", offline)
    assert ministack.main(["install"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("labkit: pip could not install ministack==1.5.33") and "Traceback" not in err


def test_stopped_ministack_says_what_to_do(monkeypatch):
    from labkit.engines import ministack

    monkeypatch.setattr(ministack, "health", lambda url, timeout=2.0: None)  # nothing answers any more
    started = MiniStackEngine("us-east-1", url="http://127.0.0.1:1")
    started.started_in = 0.5  # as start() records for a MiniStack labkit started itself
    with pytest.raises(EngineUnavailable, match=r"stopped answering .* Restart the kernel"):
        started.health()
    with pytest.raises(EngineUnavailable, match=r"stopped answering .* unset AWS_ENDPOINT_URL"):
        MiniStackEngine("us-east-1", url="http://127.0.0.1:1").health()
