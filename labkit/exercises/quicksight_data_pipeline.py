"""Checks for labs/quicksight-data-pipeline."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def _objects(pipeline_id: str) -> dict[str, dict[str, list]]:
    """{object id: {field key: [values]}} of the pipeline's definition (string and ref values alike)."""
    definition = current().client("datapipeline").get_pipeline_definition(pipelineId=pipeline_id)
    objects = {}
    for obj in definition["pipelineObjects"]:
        fields: dict[str, list] = {}
        for field in obj["fields"]:
            fields.setdefault(field["key"], []).append(field.get("stringValue", field.get("refValue")))
        objects[obj["id"]] = fields
    return objects


def daily_copy(pipeline_id: str) -> Verdict:
    """A CopyActivity reads one S3DataNode and writes another; the output path uses an expression on
    @scheduledStartTime; the activity (or Default) runs on a Schedule with period "1 day"."""
    expect(pipeline_id, "my_pipeline_id", str, "the ID (df-...) of the pipeline you defined")
    if not pipeline_id.startswith("df-"):
        return failed(f"{pipeline_id!r} is not a pipeline ID: store the pipelineId (df-...) that create_pipeline "
                      "returned, not the pipeline's name.")
    objects = _objects(pipeline_id)
    if not objects:
        return failed("The pipeline has no definition: call put_pipeline_definition.")

    def of_type(kind):
        return {oid: f for oid, f in objects.items() if kind in f.get("type", [])}

    copies = of_type("CopyActivity")
    if not copies:
        return failed("There is no object of type CopyActivity: the activity is what does the work.")
    copy_id, copy = next(iter(copies.items()))
    nodes = of_type("S3DataNode")
    inputs, outputs = copy.get("input", []), copy.get("output", [])
    if not inputs or not outputs or inputs[0] not in nodes or outputs[0] not in nodes:
        return failed(f"{copy_id} needs 'input' and 'output' fields that refer (refValue) to S3DataNode objects; "
                      f"it has input={inputs}, output={outputs}.")
    if inputs[0] == outputs[0]:
        return failed("Input and output are the same data node: copy from one location to another.")
    target = " ".join(str(v) for v in nodes[outputs[0]].get("directoryPath", []) + nodes[outputs[0]].get("filePath", []))
    if "#{" not in target or "@scheduledStartTime" not in target:
        return failed("The output node's path has no expression on @scheduledStartTime, so every day would "
                      "overwrite the same place. Use e.g. #{format(@scheduledStartTime, 'YYYY-MM-dd')}.")
    schedule_ref = (copy.get("schedule") or objects.get("Default", {}).get("schedule") or [None])[0]
    schedule = objects.get(schedule_ref, {})
    if "Schedule" not in schedule.get("type", []):
        return failed("The activity has no schedule: give it (or the Default object) a 'schedule' refValue to a "
                      "Schedule object.")
    if schedule.get("period") != ["1 day"]:
        return failed(f"The schedule's period is {schedule.get('period')}; a daily copy needs period '1 day'.")
    return passed(f"{copy_id} copies {inputs[0]} to {outputs[0]} once a day, into a folder per scheduled day.")
