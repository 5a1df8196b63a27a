"""Checks for labs/rds."""
from __future__ import annotations

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def slow_log_group(group: str, family: str = "mysql8.0", max_seconds: float = 1.0) -> Verdict:
    """A parameter group of ``family`` with slow_query_log on and long_query_time <= ``max_seconds``."""
    expect(group, "my_group", str, "the name of the DB parameter group you created")
    rds = current().client("rds")
    groups = rds.describe_db_parameter_groups(DBParameterGroupName=group)["DBParameterGroups"]
    if not groups:  # AWS answers DBParameterGroupNotFound (a hint via evaluate); the embedded engine, nothing
        return failed(f"There is no DB parameter group named {group!r}: create it with create_db_parameter_group "
                      "and store its name in my_group.")
    found = groups[0]
    if found["DBParameterGroupFamily"] != family:
        return failed(f"{group} is for the {found['DBParameterGroupFamily']} family; the exercise asks for {family}.")
    values = {}
    for page in rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group):
        values.update({p["ParameterName"]: p.get("ParameterValue") for p in page["Parameters"]})
    if values.get("slow_query_log") not in ("1", "ON", "on"):
        return failed("slow_query_log is not on: set it to 1 with modify_db_parameter_group.")
    threshold = values.get("long_query_time")
    try:
        seconds = float(threshold)
    except (TypeError, ValueError):
        return failed(f"long_query_time is {threshold!r}: set it to a number of seconds, at most {max_seconds:g}.")
    if seconds > max_seconds:
        return failed(f"long_query_time is {seconds:g} s, so a 1.5 s query would not be logged: set it to at "
                      f"most {max_seconds:g}.")
    return passed(f"{group} logs every query slower than {seconds:g} s. Attach it to an instance with "
                  "DBParameterGroupName (and export 'slowquery' to CloudWatch Logs to read it there).")
