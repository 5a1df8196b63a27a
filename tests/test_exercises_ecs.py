"""labkit.exercises.ecs: right and wrong answers, on the embedded engine."""
from __future__ import annotations

import pytest

import labkit
from labkit.checks import evaluate
from labkit.exercises import ecs


def containers(daemon_essential=False, protocol="udp"):
    return [{"name": "api", "image": "a", "essential": True, "memory": 384, "cpu": 192,
             "portMappings": [{"containerPort": 8080, "protocol": "tcp"}]},
            {"name": "xray-daemon", "image": "x", "essential": daemon_essential, "memory": 128, "cpu": 64,
             "portMappings": [{"containerPort": 2000, "protocol": protocol}]}]


@pytest.fixture
def register(engine):
    client = labkit.client("ecs")
    made = []

    def make(compat=("FARGATE",), cpu="256", **kwargs):
        family = labkit.name("check")
        arn = client.register_task_definition(family=family, requiresCompatibilities=list(compat),
                                              networkMode="awsvpc", cpu=cpu, memory="512",
                                              containerDefinitions=containers(**kwargs))["taskDefinition"]
        made.append(arn["taskDefinitionArn"])
        return family

    yield make
    for arn in made:
        client.deregister_task_definition(taskDefinition=arn)


def test_right_answer_passes(register):
    verdict = evaluate(ecs.sidecar_task, register())
    assert verdict.passed, verdict.message


def test_essential_sidecar_fails(register):
    verdict = evaluate(ecs.sidecar_task, register(daemon_essential=True))
    assert not verdict.passed and "essential=False" in verdict.message


def test_tcp_daemon_port_fails(register):
    verdict = evaluate(ecs.sidecar_task, register(protocol="tcp"))
    assert not verdict.passed and "protocol 'udp'" in verdict.message


def test_not_fargate_fails(register):
    verdict = evaluate(ecs.sidecar_task, register(compat=("EC2",)))
    assert not verdict.passed and "requiresCompatibilities=['FARGATE']" in verdict.message


def test_wrong_size_fails(register):
    verdict = evaluate(ecs.sidecar_task, register(cpu="512"))
    assert not verdict.passed and "set cpu='256'" in verdict.message


def test_empty_answer_fails(engine):
    verdict = evaluate(ecs.sidecar_task, None)
    assert verdict.kind == "failed" and "my_family is still None" in verdict.message
