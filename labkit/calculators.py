"""Small capacity calculators for the storage labs: pure formulas, plus a widget that shows them.

Each formula is a plain function (tested in ``tests/test_calculators.py``). ``calculator`` wraps one in
sliders and dropdowns; it displays the result for the starting values at once (so an executed notebook and
the static book show it) and updates that same output when a learner moves a control.
"""
from __future__ import annotations

import html
import math
from typing import Callable

KB = 1024

# --- S3: request rates per prefix -------------------------------------------------------------------------
S3_WRITES_PER_PREFIX = 3_500   # PUT/COPY/POST/DELETE per second per prefix
S3_READS_PER_PREFIX = 5_500    # GET/HEAD per second per prefix


def s3_prefixes_needed(writes_per_second: float, reads_per_second: float) -> dict:
    """How many prefixes a workload needs so that no prefix exceeds S3's per-prefix request rates."""
    for_writes = math.ceil(writes_per_second / S3_WRITES_PER_PREFIX) if writes_per_second > 0 else 0
    for_reads = math.ceil(reads_per_second / S3_READS_PER_PREFIX) if reads_per_second > 0 else 0
    return {"prefixes for writes": for_writes, "prefixes for reads": for_reads,
            "prefixes needed": max(for_writes, for_reads, 1)}


# --- DynamoDB: capacity units -----------------------------------------------------------------------------
def read_units(item_kb: float, mode: str = "strong") -> float:
    """Read capacity (request) units for one read of an item of ``item_kb`` KB.

    ``mode``: ``strong`` (1 unit per 4 KB), ``eventual`` (half of that) or ``transactional`` (double).
    """
    blocks = max(1, math.ceil(item_kb / 4))
    factor = {"strong": 1.0, "eventual": 0.5, "transactional": 2.0}[mode]
    return blocks * factor


def write_units(item_kb: float, mode: str = "standard") -> int:
    """Write capacity (request) units for one write of an item of ``item_kb`` KB (1 unit per 1 KB, 2 if transactional)."""
    blocks = max(1, math.ceil(item_kb))
    return blocks * {"standard": 1, "transactional": 2}[mode]


def dynamodb_capacity(item_kb: float, reads_per_second: float = 1, writes_per_second: float = 1) -> dict:
    """Units per request and per second for every read and write mode, for items of ``item_kb`` KB."""
    row = {}
    for mode in ("strong", "eventual", "transactional"):
        row[f"RCU per {mode} read"] = read_units(item_kb, mode)
        row[f"RCU/s for {reads_per_second:g} {mode} reads/s"] = math.ceil(read_units(item_kb, mode) * reads_per_second)
    for mode in ("standard", "transactional"):
        row[f"WCU per {mode} write"] = write_units(item_kb, mode)
        row[f"WCU/s for {writes_per_second:g} {mode} writes/s"] = write_units(item_kb, mode) * math.ceil(writes_per_second)
    return row


def capacity_per_second(operation: str, item_kb: float, per_second: float, mode: str | None = None) -> int:
    """Provisioned units a steady rate of single-item requests needs: units per request x requests per second,
    rounded up to a whole unit ("DynamoDB read and write operations", Amazon DynamoDB Developer Guide).

    ``operation``: ``read`` (``mode`` ``strong``, ``eventual`` or ``transactional``; default ``strong``) or
    ``write`` (``mode`` ``standard`` or ``transactional``; default ``standard``). Raises ``ValueError`` for another
    operation or mode, or a negative rate.
    """
    if per_second < 0:
        raise ValueError("per_second is a number of requests per second, 0 or more.")
    if operation == "read":
        mode = mode or "strong"
        if mode not in ("strong", "eventual", "transactional"):
            raise ValueError("A read's mode is 'strong', 'eventual' or 'transactional'.")
        return math.ceil(read_units(item_kb, mode) * per_second)
    if operation == "write":
        mode = mode or "standard"
        if mode not in ("standard", "transactional"):
            raise ValueError("A write's mode is 'standard' or 'transactional'.")
        return math.ceil(write_units(item_kb, mode) * per_second)
    raise ValueError("operation is 'read' or 'write'.")


def query_read_units(item_sizes_kb, mode: str = "eventual") -> float:
    """Read units one Query (or one Scan page) consumes: the sizes of all the items it read are added up and the
    total is rounded up to the next 4 KB once, not item by item ("DynamoDB read and write operations").

    ``item_sizes_kb``: an iterable of item sizes in KB; ``mode``: ``strong`` or ``eventual`` (the default, as for
    Query). Raises ``ValueError`` for another mode.
    """
    if mode not in ("strong", "eventual"):
        raise ValueError("A Query reads either 'strong' (ConsistentRead=True) or 'eventual'.")
    return read_units(sum(item_sizes_kb), mode)


def scan_minutes(table_kb: float, read_units_per_second: float, unit_kb: float = 4,
                 eventually_consistent: bool = True) -> float:
    """Lower bound on a full sequential Scan, in minutes: T = S / (R x unit x 2) for eventually consistent reads.

    ``unit_kb`` is what one read unit covers: 4 KB on DynamoDB. The study notes' formula T = S / (R x 2)
    corresponds to ``unit_kb=1``.
    """
    kb_per_second = read_units_per_second * unit_kb * (2 if eventually_consistent else 1)
    return table_kb / kb_per_second / 60


# --- Kinesis Data Streams: shards -------------------------------------------------------------------------
SHARD_IN_MB = 1.0          # MB/s written per shard
SHARD_IN_RECORDS = 1_000   # records/s written per shard
SHARD_OUT_MB = 2.0         # MB/s read per shard (shared by all classic consumers)
SHARD_READS = 5            # GetRecords calls per second per shard


def kinesis_shards_needed(records_per_second: float, record_kb: float, consumers: int = 1,
                          enhanced_fan_out: bool = False) -> dict:
    """Shards a stream needs for a write rate and a number of consumers (each reading everything)."""
    in_mb = records_per_second * record_kb / 1000
    for_bytes_in = math.ceil(in_mb / SHARD_IN_MB) if in_mb else 0
    for_records_in = math.ceil(records_per_second / SHARD_IN_RECORDS) if records_per_second else 0
    # Shared fan-out: every consumer shares the 2 MB/s a shard can send. Enhanced fan-out: 2 MB/s each.
    for_bytes_out = 0 if enhanced_fan_out else (math.ceil(in_mb * consumers / SHARD_OUT_MB) if in_mb else 0)
    return {"write MB/s": round(in_mb, 3), "shards for MB/s in": for_bytes_in,
            "shards for records/s in": for_records_in, "shards for MB/s out": for_bytes_out,
            "shards needed": max(for_bytes_in, for_records_in, for_bytes_out, 1)}


# --- the widget -------------------------------------------------------------------------------------------
def as_html(result) -> str:
    """A result (dict, DataFrame or text) as a small HTML table."""
    if hasattr(result, "_repr_html_"):
        return result._repr_html_()
    if isinstance(result, dict):
        rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td><strong>{html.escape(format_value(v))}</strong></td></tr>"
                       for k, v in result.items())
        return f'<table class="labkit-calculator">{rows}</table>'
    return f"<p>{html.escape(str(result))}</p>"


def format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class Calculator:
    """What ``calculator`` displays: the controls, and the result as an updatable display."""

    def __init__(self, compute: Callable[..., object], controls: dict, title: str):
        self.compute, self.controls, self.title = compute, controls, title
        self.handle = None

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def result_html(self) -> str:
        return f"<p><strong>{html.escape(self.title)}</strong></p>" + as_html(self.compute(**self.values()))

    def show(self) -> "Calculator":
        import ipywidgets as widgets
        from IPython.display import HTML, display

        display(widgets.VBox(list(self.controls.values())))
        self.handle = display(HTML(self.result_html()), display_id=True)

        def refresh(_):
            self.handle.update(HTML(self.result_html()))

        for control in self.controls.values():
            control.observe(refresh, names="value")
        return self


def calculator(compute: Callable[..., object], title: str, **controls) -> Calculator:
    """Show ``compute(**values of controls)`` under the controls, and keep it up to date.

    ``controls`` are ipywidgets (sliders, dropdowns, checkboxes) keyed by ``compute``'s parameter names.
    The first result is shown at once, so it is visible when the notebook runs non-interactively.
    """
    for name, control in controls.items():
        if not control.description:
            control.description = name.replace("_", " ")
        control.style = {"description_width": "initial"}
    return Calculator(compute, controls, title).show()
