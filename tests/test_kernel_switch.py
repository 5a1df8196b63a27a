"""The switch of a lab's kernel from the learner's pass to a workshop student's (tests/workshop_server.py:
``TO_STUDENT``, run by tests/labnb.py between the two passes), and of a reused kernel from one lab to the next
(tests/engine_matrix.py: ``NEXT_LAB``): labkit must act as in a fresh kernel afterwards.

The lab runs (tests/labnb.py) cannot pin this: the SQS lab passes with the forgetting taken out of ``TO_STUDENT``,
since no queue exists before its Setup in either account. So this test makes the learner's state in a fresh process
(the learner's Setup on the embedded engine, a notice shown, a figure open), runs ``TO_STUDENT``, and then acts as
the student's pass does, on a stand-in for the student's account (an embedded engine in another account: the
workshop server's would cost a server start and behave the same here).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine_matrix import NEXT_LAB
from workshop_server import ROOT, TO_STUDENT

STUDENT_ACCOUNT = "100000000002"
NOTICE = "cloudwatch-alarms-not-evaluated"  # any declared Difference: its notice shows once per kernel

SWITCH = """\
import json, os, warnings
os.environ["LABKIT_ENGINE"] = "embedded"
os.environ["MPLBACKEND"] = "Agg"
import matplotlib.pyplot as plt
import labkit
from labkit import engines
from labkit.emulator import notices
from labkit.engines.embedded import EmbeddedEngine

warnings.simplefilter("ignore")  # a notice outside IPython is a warning: shown or not, notice() says which
# the learner's pass: Setup on the embedded engine (in an account of the kernel's environment), a notice shown, a
# figure open
os.environ["LABKIT_ACCOUNT_ID"] = "100000000009"
labkit.require("sqs")
assert notices.notice({notice!r})
plt.figure()

from IPython.core.interactiveshell import InteractiveShell  # the switch runs as a cell (NEXT_LAB has a magic)
assert InteractiveShell.instance().run_cell({switch!r}).success

after = {{"engine": engines._current is not None, "figures": plt.get_fignums(),
         "notice shown again": notices.notice({notice!r}),
         "student variables": {{k: os.environ.get(k) for k in ("LABKIT_ENGINE", "AWS_ENDPOINT_URL",
                                                                "LABKIT_ACCOUNT_ID")}}}}
# the student's pass, on a stand-in for the student's account: a queue the instructor made before the lab, then
# the lab's Setup, the lab's own queue, and its Cleanup
engines.use(EmbeddedEngine("us-east-1", account_id={account!r}).start())
sqs = labkit.client("sqs")
sqs.create_queue(QueueName="dva-before-the-lab")
labkit.require("sqs")
sqs.create_queue(QueueName="dva-the-labs-queue")
after["cleanup deleted"] = sorted(name.rsplit("/", 1)[-1] for _, name in labkit.cleanup().deleted)
after["left"] = sorted(url.rsplit("/", 1)[-1] for url in sqs.list_queues().get("QueueUrls", []))
print(json.dumps(after))
"""


def switch_and_act(switch: str) -> dict:
    """Run the learner's state, ``switch`` and the student's Setup and Cleanup in a fresh Python process; returns
    what labkit did after the switch (a dict)."""
    env = {"LABKIT_ENGINE": "auto", "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "LABKIT_RUN_SOLUTIONS": "1"}
    script = SWITCH.format(notice=NOTICE, switch=switch.format(env=env), account=STUDENT_ACCOUNT)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT / "labs", capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("switch", [TO_STUDENT, NEXT_LAB], ids=["TO_STUDENT", "engine_matrix.NEXT_LAB"])
def test_after_the_switch_labkit_acts_as_in_a_fresh_kernel(switch):
    """Cleanup's baseline is the student's account's (the queue there before the student's Setup stays), the notice
    the learner saw shows again, the learner's figures are closed, its engine is gone and so is an account the
    kernel's environment named (this lab's student sets none). The same for engine_matrix.NEXT_LAB, the switch of a
    reused kernel (LocalStack, MiniStack) from one lab to the next."""
    after = switch_and_act(switch)
    assert after["cleanup deleted"] == ["dva-the-labs-queue"], after
    assert after["left"] == ["dva-before-the-lab"], after
    assert after["notice shown again"] is True, after
    assert after["figures"] == [], after
    assert after["engine"] is False, after
    assert after["student variables"] == {"LABKIT_ENGINE": "auto", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                                          "LABKIT_ACCOUNT_ID": None}, after  # the student's key names the account
