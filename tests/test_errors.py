"""AWS errors and labkit's own errors are shown short in a notebook (labkit.errors.install_ipython_handler).

A refused call shows its name, AWS's code, the operation, AWS's message and the learner's lines; the cell still fails
(an ``error`` output with ename/evalue, the kernel's execute reply an error); ``%tb`` still shows everything; and
showing it imports none of IPython's verbose-traceback libraries (stack_data and its kin). Other exceptions keep
IPython's traceback.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from labkit.errors import cell_namer, short_traceback

ANSI = re.compile(r"\x1b\[[0-9;]*m")
VERBOSE_LIBRARIES = ("stack_data", "executing", "asttokens", "pure_eval")

# One fresh interpreter: which modules are loaded is only meaningful in a process that showed nothing before.
SHELL = r"""
import sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
def run(source):
    print("=== cell")
    result = shell.run_cell(source, store_history=True)  # as a kernel runs a cell (IPython keeps its error too)
    print(f"=== error {type(result.error_in_exec).__name__}")

run("import labkit\nddb = labkit.client('dynamodb')\n"
    "ddb.create_table(TableName='orders', BillingMode='PAY_PER_REQUEST',"
    " AttributeDefinitions=[{'AttributeName': 'order_id', 'AttributeType': 'S'}],"
    " KeySchema=[{'AttributeName': 'order_id', 'KeyType': 'HASH'}])\nNone")
run("raise labkit.LabkitError('Run the Setup cell first.')")
run("ddb.put_item(TableName='orders')")
run("def newest(table):\n    return ddb.query(TableName=table, KeyConditionExpression='order_date > :d',\n"
    "                     ExpressionAttributeValues={':d': {'S': '2024'}})\n\nnewest('orders')")
print("=== verbose libraries loaded", sorted(m for m in %r if m in sys.modules))
run("%%tb")
run("undefined_name + 1")
run("import boto3, botocore.config\nboto3.client('s3', endpoint_url='http://127.0.0.1:9', region_name='us-east-1', "
    "aws_access_key_id='x', aws_secret_access_key='x',"
    " config=botocore.config.Config(retries={'total_max_attempts': 1})).list_buckets()")
run("%%tb")
shell.debugger = lambda force=False: print("(the debugger opens here)")
run("%%pdb on")
run("ddb.put_item(TableName='orders')")
run("%%pdb off")
run("s3 = labkit.client('s3')\nimport tempfile\nwith tempfile.NamedTemporaryFile() as f:\n"
    "    s3.upload_file(f.name, 'dva-no-such-bucket', 'k')")
run("s3.get_waiter('bucket_exists').wait(Bucket='dva-no-such-bucket', WaiterConfig={'Delay': 1, 'MaxAttempts': 1})")
"""


@pytest.fixture(scope="module")
def shown() -> dict[str, str]:
    """What each cell of :data:`SHELL` printed (ANSI colours removed), keyed by its order, plus the module list."""
    result = subprocess.run([sys.executable, "-c", SHELL % (VERBOSE_LIBRARIES,)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    parts = ANSI.sub("", result.stdout).split("=== cell\n")[1:]
    return dict(zip(["setup", "labkit", "put", "query", "tb", "name", "no engine", "tb no engine", "pdb on", "pdb",
                           "pdb off", "upload", "waiter"],
                    parts))


def test_a_refused_call_shows_code_operation_message_and_the_learners_lines(shown):
    """...and showing these errors loaded no verbose-traceback library (the last line)."""
    assert shown["query"].splitlines() == [
        "ClientError: An error occurred (ValidationException) when calling the Query operation: "
        "Query condition missed key schema element: order_id",
        "  Cell In[4], line 5: newest('orders')",
        "  Cell In[4], line 2, in newest: return ddb.query(TableName=table, KeyConditionExpression='order_date > :d',",
        "(%tb shows the full traceback)",
        "=== error ClientError",
        "=== verbose libraries loaded []"]


def test_a_parameter_of_the_wrong_shape_is_shown_short_too(shown):
    assert shown["put"].splitlines() == [
        "ParamValidationError: Parameter validation failed:",
        'Missing required parameter in input: "Item"',
        "  Cell In[3], line 1: ddb.put_item(TableName='orders')",
        "(%tb shows the full traceback)",
        "=== error ParamValidationError"]


def test_labkits_own_error_is_one_line(shown):
    assert shown["labkit"].splitlines() == ["labkit: Run the Setup cell first.", "=== error LabkitError"]


def test_percent_tb_then_shows_the_full_traceback(shown):
    assert "Traceback (most recent call last)" in shown["tb"] and "botocore/client.py" in shown["tb"]
    assert "ClientError: An error occurred (ValidationException)" in shown["tb"]  # the session's last error


def test_any_other_exception_keeps_ipythons_traceback(shown):
    assert "Traceback (most recent call last)" in shown["name"]
    assert "NameError: name 'undefined_name' is not defined" in shown["name"]
    assert shown["name"].rstrip().endswith("=== error NameError")


def test_no_engine_answering_is_labkits_one_line_and_percent_tb_shows_botocore_s_error(shown):
    assert shown["no engine"].splitlines() == [
        "labkit: Nothing answers at http://127.0.0.1:9/. Is the engine running? Run `python -m labkit doctor` in a "
        "terminal to see what labkit finds.", "=== error EndpointConnectionError"]
    assert 'EndpointConnectionError: Could not connect to the endpoint URL: "http://127.0.0.1:9/"' in shown[
        "tb no engine"]
    assert "EngineUnavailable: Nothing answers at http://127.0.0.1:9/." in shown["tb no engine"]


def test_pdb_on_opens_the_debugger_after_the_short_error(shown):
    """``%pdb on`` asks IPython to open the debugger at every uncaught error: at a short one too."""
    assert shown["pdb"].splitlines() == [
        "ParamValidationError: Parameter validation failed:",
        'Missing required parameter in input: "Item"',
        "  Cell In[10], line 1: ddb.put_item(TableName='orders')",
        "(%tb shows the full traceback)",
        "(the debugger opens here)",
        "=== error ParamValidationError"]


def test_a_long_chain_of_the_learners_calls_keeps_its_first_and_last_lines(tmp_path):
    from botocore.exceptions import ClientError

    helper = tmp_path / "helper.py"
    helper.write_text("def down(n, fail):\n    if n == 0:\n        fail()\n    return down(n - 1, fail)\n")
    sys.path.insert(0, str(tmp_path))
    try:
        import helper as module
    finally:
        sys.path.remove(str(tmp_path))

    def fail():  # stands for botocore: a frame in this test file, which the fake cell_name says is no cell...
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")

    try:
        module.down(8, fail)
    except ClientError as error:
        lines = short_traceback(error, error.__traceback__, lambda filename: None)
    del sys.modules["helper"]
    assert lines[0] == "ClientError: An error occurred (AccessDenied) when calling the GetObject operation: no"
    # ...but it is a learner's file as well (outside the library folders and labkit): the innermost line shows it
    assert lines[1].startswith("  test_errors.py, line ") and lines[1].endswith("module.down(8, fail)")
    assert lines[2] == "  ... 6 more of your calls ..."
    assert lines[3:6] == ["  helper.py, line 4, in down: return down(n - 1, fail)"] * 2 + [
        "  helper.py, line 3, in down: fail()"]
    assert lines[6].endswith('raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")')
    assert len(lines) == 7


def test_a_notebook_shows_them_as_the_cells_error_output():
    """Through a real kernel (ipykernel, as the book build, nbval and JupyterLab run a lab): the failed cell's
    output is an ``error`` with the short lines, and the execution stops there."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import labkit\nlabkit.client('dynamodb').describe_table(TableName='dva-none')",
                                  metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell("labkit.client('dynamo')"),
        nbformat.v4.new_code_cell("print('not reached')")])
    client = NotebookClient(notebook, timeout=60, kernel_name="python3")
    with pytest.raises(CellExecutionError) as stopped:
        client.execute()
    aws, labkit_error = (cell.outputs for cell in notebook.cells[:2])
    assert [(o.output_type, o.ename) for o in aws] == [("error", "ResourceNotFoundException")]
    assert aws[0].evalue.startswith("An error occurred (ResourceNotFoundException) when calling the DescribeTable "
                                    "operation: ")
    assert aws[0].traceback == [f"ResourceNotFoundException: {aws[0].evalue}",
                                "  Cell In[1], line 2: labkit.client('dynamodb').describe_table(TableName='dva-none')",
                                "(%tb shows the full traceback)"]
    assert [(o.output_type, o.ename) for o in labkit_error] == [("error", "UnknownService")]
    assert labkit_error[0].traceback == [f"labkit: {labkit_error[0].evalue}"] and "dynamodb" in labkit_error[0].evalue
    assert stopped.value.ename == "UnknownService" and notebook.cells[2].outputs == []


def test_cells_are_named_as_ipython_names_them_and_as_ipython_7_did():
    from ipykernel.compiler import XCachingCompiler

    compiler = XCachingCompiler()  # a kernel's: a cell's code is a file in the temporary folder (for its debugger)
    filename = compiler.cache("x = 1\n", number=3)
    assert not filename.startswith("<") and cell_namer(compiler)(filename) == ("Cell", "In[3]")
    assert cell_namer(compiler)("/usr/lib/python3/json/__init__.py") is None
    older = cell_namer(object())  # IPython 7 (Google Colab): no format_code_name
    assert older("<ipython-input-3-1a2b3c4d5e6f>") == ("Cell", "In[3]") and older("<string>") is None


def test_boto3_s_upload_and_a_waiter_that_gave_up_are_shown_short_too(shown):
    """``upload_file`` wraps the refused call in boto3's S3UploadFailedError (AWS's code in its message); a waiter
    that runs out of attempts raises botocore's WaiterError: both are AWS's answers, shown as the others."""
    assert shown["upload"].splitlines() == [
        "S3UploadFailedError: Failed to upload " + shown["upload"].split("Failed to upload ", 1)[1].split(" to ")[0]
        + " to dva-no-such-bucket/k: An error occurred (NoSuchBucket) when calling the PutObject operation: "
        "The specified bucket does not exist",
        "  Cell In[12], line 4: s3.upload_file(f.name, 'dva-no-such-bucket', 'k')",
        "(%tb shows the full traceback)",
        "=== error S3UploadFailedError"]
    assert shown["waiter"].splitlines() == [
        "WaiterError: Waiter BucketExists failed: Max attempts exceeded. Previously accepted state: "
        "Matched expected HTTP status code: 404",
        "  Cell In[13], line 1: s3.get_waiter('bucket_exists').wait(Bucket='dva-no-such-bucket', "
        "WaiterConfig={'Delay': 1, 'MaxAttempts': 1})",
        "(%tb shows the full traceback)",
        "=== error WaiterError"]
