"""The capacity formulas behind the storage labs' calculators reproduce the course's worked examples."""
from __future__ import annotations

import pytest

from labkit import calculators as calc


@pytest.mark.parametrize("writes, reads, needed", [(0, 0, 1), (3_500, 5_500, 1), (3_501, 0, 2), (0, 11_001, 3),
                                                   (12_000, 20_000, 4)])
def test_s3_prefixes(writes, reads, needed):
    assert calc.s3_prefixes_needed(writes, reads)["prefixes needed"] == needed


def test_dynamodb_notes_examples():
    # 8 KB item: 2 RCU strong, 1 eventual, 4 transactional; 2 KB item: 2 WCU, 4 transactional.
    assert calc.read_units(8, "strong") == 2
    assert calc.read_units(8, "eventual") == 1
    assert calc.read_units(8, "transactional") == 4
    assert calc.write_units(2) == 2
    assert calc.write_units(2, "transactional") == 4


def test_dynamodb_rounding():
    assert calc.read_units(3.5) == 1 and calc.read_units(6) == 2 and calc.read_units(0.1, "eventual") == 0.5
    assert calc.write_units(1.5) == 2 and calc.write_units(2.5) == 3
    row = calc.dynamodb_capacity(6, reads_per_second=100, writes_per_second=100)
    assert row["RCU/s for 100 strong reads/s"] == 200
    assert row["RCU/s for 100 eventual reads/s"] == 100
    assert row["WCU/s for 100 standard writes/s"] == 600


def test_scan_estimates():
    assert round(calc.scan_minutes(1_000_000, 100, unit_kb=1)) == 83  # the notes' "about 84 minutes"
    assert round(calc.scan_minutes(1_000_000, 100)) == 21              # with DynamoDB's 4 KB read unit


def test_kinesis_shards():
    assert calc.kinesis_shards_needed(0, 1)["shards needed"] == 1
    assert calc.kinesis_shards_needed(2_500, 0.1)["shards needed"] == 3          # record count bound
    assert calc.kinesis_shards_needed(500, 5)["shards needed"] == 3              # 2.5 MB/s in
    shared = calc.kinesis_shards_needed(900, 1, consumers=5)                     # 0.9 MB/s x 5 = 4.5 MB/s out
    assert shared["shards needed"] == 3
    assert calc.kinesis_shards_needed(900, 1, consumers=5, enhanced_fan_out=True)["shards needed"] == 1


def test_result_html_lists_every_value():
    html = calc.as_html(calc.s3_prefixes_needed(12_000, 20_000))
    assert "prefixes needed" in html and "<strong>4</strong>" in html


def test_capacity_per_second_rounds_each_item_then_multiplies():
    from labkit.calculators import capacity_per_second
    assert capacity_per_second("read", 7, 40) == 80                       # 7 KB -> 2 blocks of 4 KB
    assert capacity_per_second("read", 7, 40, "eventual") == 40
    assert capacity_per_second("read", 9, 12, "transactional") == 72      # 3 blocks x 2 x 12
    assert capacity_per_second("write", 1.5, 25) == 50                    # 1.5 KB -> 2 KB
    assert capacity_per_second("write", 3, 10, "transactional") == 60
    assert capacity_per_second("read", 1, 3, "eventual") == 2             # 1.5 units rounds up to 2


def test_capacity_per_second_refuses_unknown_operations():
    import pytest
    from labkit.calculators import capacity_per_second
    for bad in (("scan", 1, 1), ("read", 1, 1, "standard"), ("write", 1, 1, "eventual"), ("read", 1, -1)):
        with pytest.raises(ValueError):
            capacity_per_second(*bad)


def test_query_rounds_the_total_once():
    from labkit.calculators import query_read_units
    assert query_read_units([0.5] * 30) == 2          # 15 KB -> 16 KB -> 4 units, halved
    assert query_read_units([0.5] * 30, "strong") == 4
    assert query_read_units([1.0] * 20 + [0.1]) == 3   # 20.1 KB -> 24 KB -> 6 units, halved
