"""labkit/emulator/model_tracking.py: moto's record of model instances no longer keeps every temporary copy alive."""
from __future__ import annotations

import gc

import labkit


def tracked_items() -> list:
    from moto.dynamodb.models.dynamo_type import Item

    gc.collect()
    return list(Item.instances_tracked)


def test_query_copies_are_freed_and_stored_items_stay_tracked(engine):
    ddb = labkit.client("dynamodb")
    table = labkit.name("tracking")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    try:
        for key in ("a", "b", "c"):
            ddb.put_item(TableName=table, Item={"k": {"S": key}, "v": {"S": table}})
        before = len(tracked_items())
        for _ in range(20):  # each Scan deep-copies the three items it returns (moto Table.scan)
            assert ddb.scan(TableName=table)["Count"] == 3
        after = tracked_items()
        assert len(after) - before < 10  # moto's plain list kept all 60 copies
        ours = sorted(item.attrs["k"].value for item in after
                      if "v" in item.attrs and item.attrs["v"].value == table)
        assert ours == ["a", "b", "c"]  # what is stored is still listed (moto's dashboard reads this)
    finally:
        ddb.delete_table(TableName=table)


def test_after_moto_reset_the_lists_are_weak_again(engine):
    from moto.core.model_instances import reset_model_data
    from moto.dynamodb.models.dynamo_type import Item

    from labkit.emulator.model_tracking import WeakInstances

    reset_model_data()  # what moto's reset does (tests/_engine_reset.py between modules): plain lists again
    assert type(Item.instances_tracked) is list
    test_query_copies_are_freed_and_stored_items_stay_tracked(engine)
    assert isinstance(Item.instances_tracked, WeakInstances)
