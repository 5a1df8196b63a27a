"""ECS, EFS and Elastic Beanstalk: moto models their control planes, and nothing runs behind them (no container,
no NFS server, no instance)."""
from __future__ import annotations

from .notices import Trigger, install_triggers, trigger_patch
from .registry import Difference

DIFFERENCES = [
    Difference(
        id="ecs-containers-not-run",
        service="ECS",
        aws="RunTask starts the task's containers (pulling their images) on Fargate or a container instance; the "
            "task moves through PROVISIONING, PENDING and RUNNING to STOPPED, and lists every container.",
        engine="No container runs and no image is pulled: task states are bookkeeping, and a task lists only the "
               "first container of its definition.",
        doc="Amazon ECS standalone tasks",
        labs=("ecs",),
    ),
    Difference(
        id="efs-nothing-to-mount",
        service="EFS",
        aws="A mount target is an NFS endpoint in its subnet: clients mount the file system through it (TCP 2049), "
            "and the file system policy is enforced when a client mounts with IAM authorization.",
        engine="File systems, mount targets, access points and policies are stored and described, but no NFS "
               "server runs: nothing can be mounted and no policy is enforced.",
        doc="Mounting EFS file systems using the EFS mount helper",
        labs=("efs",),
    ),
    Difference(
        id="elasticbeanstalk-nothing-provisioned",
        service="Elastic Beanstalk",
        aws="Creating an environment provisions its resources (EC2 instances, and for a load-balanced environment "
            "a load balancer and an Auto Scaling group) and gives it a URL; application versions and their "
            "lifecycle policy are managed through the API.",
        engine="Applications and environments are recorded but nothing is provisioned (no instance, load balancer "
               "or URL), and application versions and lifecycle policy operations are not implemented.",
        doc="Modifying the resources that Elastic Beanstalk creates for your environment",
        labs=("elastic-beanstalk",),
    ),
]

TRIGGERS = [
    Trigger("moto.ecs.responses.EC2ContainerServiceResponse.run_task", "ecs-containers-not-run"),
    Trigger("moto.efs.responses.EFSResponse.create_mount_target", "efs-nothing-to-mount"),
    Trigger("moto.elasticbeanstalk.responses.EBResponse.create_environment", "elasticbeanstalk-nothing-provisioned"),
]

PATCHES = [trigger_patch("containers-notices", TRIGGERS)]


def install() -> None:
    """Show the notices above when a lab meets them (idempotent)."""
    install_triggers(TRIGGERS)
