"""``labkit.require(..., needs=[...])``: a lab names the behaviours it relies on; an engine lacking one stops it in
Setup with labkit's reason (labkit/services.py), and every capability a lab names is one some engine lacks."""
from __future__ import annotations

import pytest

from labkit import engines, require, services
from labkit.engines import localstack, ministack
from labkit.engines.base import Engine
from labkit.errors import ServiceUnavailable
from labkit.services import UnknownService

from engine_matrix import ROOT, declared


class Lacking(Engine):
    """An engine offering every service but lacking what ``lacking`` names."""

    def __init__(self, lacking: dict[str, str]):
        super().__init__(name="fake", region="us-east-1")
        self.lacking = lacking

    def lacks(self, needs: list[str]) -> dict[str, str]:
        return {need: self.lacking[need] for need in needs if need in self.lacking}


@pytest.fixture
def use(monkeypatch):
    monkeypatch.setattr(services.hygiene, "track", lambda services: None)  # nothing to record on a fake engine
    monkeypatch.setattr(services, "_show_in_notebook", lambda banner: None)
    previous = []

    def use_engine(engine):
        previous.append(engines.use(engine))

    yield use_engine
    for engine in previous[:1]:
        engines.use(engine)


def test_a_lacking_capability_stops_the_lab_with_its_reason(use):
    use(Lacking({"ec2:default network ACL association": "it leaves a new subnet in no network ACL"}))
    with pytest.raises(ServiceUnavailable) as raised:
        require("ec2", needs=["ec2:default network ACL association"])
    assert "ec2:default network ACL association: it leaves a new subnet in no network ACL" in str(raised.value)
    assert "fake engine does not offer" in str(raised.value)


def test_a_capability_the_engine_has_is_met(use):
    use(Lacking({"lambda:OnSuccess destination": "no"}))
    banner = require("ec2", needs=["ec2:default network ACL association"])
    assert banner.services == ("ec2",)


@pytest.mark.parametrize("bad", ["default network ACL", "ec2:a:b", "ec2:", "ec2:a; b", "ecc2:default ACL", 3])
def test_a_malformed_capability_is_refused_with_the_form_to_use(use, bad):
    use(Lacking({}))
    with pytest.raises(UnknownService, match=r"service:what|not an AWS service name"):
        require("ec2", needs=[bad])


def test_every_capability_a_lab_needs_is_lacked_by_some_engine():
    """A capability no engine module lists is a typo (or a lack fixed since): the lab would not stop anywhere."""
    lacked = set(ministack.LACKS) | set(getattr(localstack, "LACKS", {}))
    needed = {need: path.stem for path in sorted((ROOT / "labs").glob("*.ipynb")) for need in declared(path)[1]}
    assert {need: lab for need, lab in needed.items() if need not in lacked} == {}
    assert needed, "no lab declares a capability: the parse of labkit.require(..., needs=[...]) found none"


def test_the_matrix_reads_a_new_labs_services_and_needs_from_its_require_call(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("labkit.require('not', 'this')"),
        nbformat.v4.new_code_cell('%load_ext something\nimport labkit\n\nlabkit.require("codebuild", "s3",\n'
                                  '               needs=["s3:ListBucketInventoryConfigurations"])\nx = 1')])
    nbformat.write(notebook, tmp_path / "new-lab.ipynb")
    assert declared(tmp_path / "new-lab.ipynb") == (["codebuild", "s3"], ["s3:ListBucketInventoryConfigurations"])
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]), tmp_path / "plain.ipynb")
    assert declared(tmp_path / "plain.ipynb") == ([], [])


@pytest.mark.parametrize("message, reason", [
    ("labkit: This lab needs services the ministack engine does not offer (xray: absent). Run it on the embedded",
     "xray: absent"),
    ("labkit: This lab needs behaviour the ministack engine does not offer (ec2:default network ACL association: "
     "none). Run it on the embedded", "ec2:default network ACL association: none")])
def test_the_matrix_recognises_both_of_requires_stops(message, reason):
    from engine_matrix import UNAVAILABLE

    assert UNAVAILABLE.search(message).group(1) == reason


def test_the_matrix_refuses_a_lab_name_it_does_not_know(capsys):
    from engine_matrix import main

    with pytest.raises(SystemExit):
        main(["--labs", "s3-basic", "--engines", "ministack", "--no-conformance"])
    assert "no lab named s3-basic in labs/" in capsys.readouterr().err
