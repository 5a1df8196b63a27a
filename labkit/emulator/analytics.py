"""QuickSight and AWS Data Pipeline: moto stores their definitions, reads no data and runs nothing."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="quicksight-data-not-read",
        service="QuickSight",
        aws="Creating an S3 data source reads its manifest and the files it lists, and fails the creation when it "
            "cannot; datasets and dashboards can be created, listed and deleted.",
        engine="The data source is stored and reported CREATION_SUCCESSFUL without reading anything; a dataset "
               "keeps only its ID and name, and datasets and dashboards cannot be listed or deleted.",
        doc="CreateDataSource",
        labs=("quicksight-data-pipeline",),
    ),
    Difference(
        id="datapipeline-nothing-runs",
        service="Data Pipeline",
        aws="An activated pipeline validates its definition and creates a run of each activity on its schedule, on "
            "the resource (EC2 instance, EMR cluster) it names.",
        engine="The definition and the activation are stored, nothing is validated (ValidatePipelineDefinition is "
               "not implemented) and nothing runs.",
        doc="ActivatePipeline",
        labs=("quicksight-data-pipeline",),
    ),
]

TRIGGERS = [
    Trigger("moto.quicksight.responses.QuickSightResponse.create_data_source", "quicksight-data-not-read"),
    Trigger("moto.datapipeline.responses.DataPipelineResponse.activate_pipeline", "datapipeline-nothing-runs"),
]

PATCHES = [trigger_patch("analytics-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
