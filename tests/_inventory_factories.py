"""One real resource of every inventory kind, made on the engine, for tests/test_hygiene.py.

``FACTORIES[kind name](make)`` creates one resource of that kind (and whatever it needs first) and returns the
identifier the kind's lister should report for it; for kinds whose identifiers are ``"<id> <name>"`` (KMS keys,
Cognito pools) it returns the id, matched against the first word. ``make`` is a small context: ``make.c(service)``
is a client, ``make.name(word)`` a unique name. Dependencies are not deleted here: the test deletes everything the
factory added, with the kinds' own delete functions, and checks nothing is left.
"""
from __future__ import annotations

import json

import labkit

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "ec2.amazonaws.com"}}]}
TEMPLATE = json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                       "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})


class Make:
    def __init__(self, engine):
        self.engine = engine
        self.account = engine.account_id or "123456789012"
        self.region = engine.region

    def c(self, service: str):
        return labkit.client(service)

    def name(self, word: str) -> str:
        return labkit.name(word)

    # shared dependencies -----------------------------------------------------------------------------------
    def role(self, service: str = "ec2.amazonaws.com") -> str:
        trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": service}}]}
        return self.c("iam").create_role(RoleName=self.name("inv-role"),
                                         AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    def function(self) -> str:
        code = labkit.zip_code({"app.py": "def handler(event, context):\n    return 1\n"})
        return self.c("lambda").create_function(
            FunctionName=self.name("inv-fn"), Runtime="python3.12", Role=self.role("lambda.amazonaws.com"),
            Handler="app.handler", Code={"ZipFile": code})["FunctionArn"]

    def topic(self) -> str:
        return self.c("sns").create_topic(Name=self.name("inv"))["TopicArn"]

    def bucket(self) -> str:
        name = self.name("inv")
        self.c("s3").create_bucket(Bucket=name)
        return name

    def vpc(self) -> str:
        return self.c("ec2").create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]

    def subnet(self, vpc: str, cidr: str = "10.20.1.0/24", zone: str = "a") -> str:
        return self.c("ec2").create_subnet(VpcId=vpc, CidrBlock=cidr,
                                           AvailabilityZone=f"{self.region}{zone}")["Subnet"]["SubnetId"]

    def image(self) -> str:
        return self.c("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"]

    def instance(self) -> str:
        return self.c("ec2").run_instances(ImageId=self.image(), InstanceType="t3.micro", MinCount=1,
                                           MaxCount=1)["Instances"][0]["InstanceId"]

    def cluster(self) -> str:
        return self.c("ecs").create_cluster(clusterName=self.name("inv"))["cluster"]["clusterArn"]

    def task_definition(self) -> str:
        return self.c("ecs").register_task_definition(
            family=self.name("inv"), requiresCompatibilities=["EC2"],
            containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128, "cpu": 64}],
        )["taskDefinition"]["taskDefinitionArn"]

    def container_instance(self, cluster: str) -> str:
        document = json.dumps({"instanceId": self.instance()})
        return self.c("ecs").register_container_instance(
            cluster=cluster, instanceIdentityDocument=document)["containerInstance"]["containerInstanceArn"]

    def compute_environment(self) -> str:
        vpc = self.vpc()
        return self.c("batch").create_compute_environment(
            computeEnvironmentName=self.name("inv"), type="MANAGED", state="ENABLED",
            serviceRole=self.role("batch.amazonaws.com"),
            computeResources={"type": "FARGATE", "maxvCpus": 4, "subnets": [self.subnet(vpc)],
                              "securityGroupIds": [self.security_group(vpc)]})["computeEnvironmentArn"]

    def security_group(self, vpc: str) -> str:
        return self.c("ec2").create_security_group(GroupName=self.name("inv"), Description="inventory test",
                                                   VpcId=vpc)["GroupId"]

    def db_instance(self) -> str:
        name = self.name("inv")
        self.c("rds").create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                                         MasterUsername="labkit", MasterUserPassword="not-a-secret-1",
                                         AllocatedStorage=20)
        return name

    def key(self) -> str:
        return self.c("kms").create_key(Description=self.name("inv"))["KeyMetadata"]["KeyId"]


def stack_set(m: Make) -> str:
    name = m.name("inv")
    m.c("cloudformation").create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)
    return name


def stack(m: Make) -> str:
    name = m.name("inv")
    m.c("cloudformation").create_stack(StackName=name, TemplateBody=TEMPLATE)
    return name


def ecs_service(m: Make) -> str:
    return m.c("ecs").create_service(cluster=m.cluster(), serviceName=m.name("inv"),
                                     taskDefinition=m.task_definition(), desiredCount=0)["service"]["serviceArn"]


def ecs_task(m: Make) -> str:
    cluster = m.cluster()
    m.container_instance(cluster)
    return m.c("ecs").run_task(cluster=cluster, taskDefinition=m.task_definition(), launchType="EC2",
                               count=1)["tasks"][0]["taskArn"]


def container_instance(m: Make) -> str:
    return m.container_instance(m.cluster())


def elastic_ip(m: Make) -> str:
    return m.c("ec2").allocate_address(Domain="vpc")["AllocationId"]


def event_subscription(m: Make) -> str:
    name = m.name("inv")
    m.c("rds").create_event_subscription(SubscriptionName=name, SnsTopicArn=m.topic(), SourceType="db-instance",
                                         Enabled=True)
    return name


def rule(m: Make) -> str:
    name = m.name("inv")
    m.c("events").put_rule(Name=name, ScheduleExpression="rate(5 minutes)")
    return name


def event_bus(m: Make) -> str:
    name, events = m.name("inv"), m.c("events")
    events.create_event_bus(Name=name)
    events.put_rule(Name=m.name("inv"), EventBusName=name, EventPattern=json.dumps({"source": ["labkit"]}))
    return name  # delete removes the bus's rules first


def archive(m: Make) -> str:
    name, events = m.name("inv"), m.c("events")
    bus = events.describe_event_bus(Name="default")["Arn"]
    events.create_archive(ArchiveName=name, EventSourceArn=bus)
    return name


def job_queue(m: Make) -> str:
    return m.c("batch").create_job_queue(
        jobQueueName=m.name("inv"), state="ENABLED", priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": m.compute_environment()}])["jobQueueArn"]


def alarm(m: Make) -> str:
    name = m.name("inv")
    m.c("cloudwatch").put_metric_alarm(AlarmName=name, Namespace="Labkit", MetricName="Tests", Statistic="Sum",
                                       Period=60, EvaluationPeriods=1, Threshold=1.0,
                                       ComparisonOperator="GreaterThanThreshold")
    return name


def sampling_rule(m: Make) -> str:
    name = m.name("inv")[:32]
    m.c("xray").create_sampling_rule(SamplingRule={
        "RuleName": name, "Priority": 100, "ReservoirSize": 1, "FixedRate": 0.1, "ServiceName": "*",
        "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "ResourceARN": "*", "Version": 1})
    return name


def dashboard(m: Make) -> str:
    name = m.name("inv")
    m.c("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=json.dumps({"widgets": []}))
    return name


def db_snapshot(m: Make) -> str:
    name = m.name("inv")
    m.c("rds").create_db_snapshot(DBSnapshotIdentifier=name, DBInstanceIdentifier=m.db_instance())
    return name


def job_definition(m: Make) -> str:
    return m.c("batch").register_job_definition(
        jobDefinitionName=m.name("inv"), type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 128})["jobDefinitionArn"]


def db_parameter_group(m: Make) -> str:
    name = m.name("inv")
    m.c("rds").create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres16",
                                         Description="inventory test")
    return name


def db_subnet_group(m: Make) -> str:
    vpc, name = m.vpc(), m.name("inv")
    m.c("rds").create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription="inventory test",
                                      SubnetIds=[m.subnet(vpc, "10.20.1.0/24", "a"),
                                                 m.subnet(vpc, "10.20.2.0/24", "b")])
    return name


def nat_gateway(m: Make) -> str:
    ec2 = m.c("ec2")
    return ec2.create_nat_gateway(SubnetId=m.subnet(m.vpc()), AllocationId=elastic_ip(m))["NatGateway"][
        "NatGatewayId"]


def vpc_endpoint(m: Make) -> str:
    # VpcEndpointType named: moto 5.2.5 leaves it unset when omitted (AWS's CreateVpcEndpoint: "Default: Gateway")
    # and DeleteVpcEndpoints then fails with a 500 (tests/test_hygiene.py::test_a_vpc_endpoint_of_default_type_...)
    return m.c("ec2").create_vpc_endpoint(VpcId=m.vpc(), ServiceName=f"com.amazonaws.{m.region}.s3",
                                          VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]


def peering(m: Make) -> str:
    ec2 = m.c("ec2")
    other = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_vpc_peering_connection(VpcId=m.vpc(), PeerVpcId=other)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]


def internet_gateway(m: Make) -> str:
    ec2 = m.c("ec2")
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=m.vpc())  # delete detaches it first
    return gateway


def egress_only_gateway(m: Make) -> str:
    return m.c("ec2").create_egress_only_internet_gateway(VpcId=m.vpc())["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]


def network_acl(m: Make) -> str:
    return m.c("ec2").create_network_acl(VpcId=m.vpc())["NetworkAcl"]["NetworkAclId"]


def route_table(m: Make) -> str:
    ec2, vpc = m.c("ec2"), m.vpc()
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=m.subnet(vpc))  # delete disassociates it first
    return table


def state_machine(m: Make) -> str:
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    return m.c("stepfunctions").create_state_machine(name=m.name("inv"), definition=definition,
                                                     roleArn=m.role("states.amazonaws.com"))["stateMachineArn"]


def event_source_mapping(m: Make) -> str:
    sqs = m.c("sqs")
    queue = sqs.create_queue(QueueName=m.name("inv"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return m.c("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=m.function(),
                                                     Enabled=False)["UUID"]


def hosted_zone(m: Make) -> str:
    return m.c("route53").create_hosted_zone(Name=f"{m.name('inv')}.example.com", CallerReference=m.name("ref"))[
        "HostedZone"]["Id"].split("/")[-1]


def health_check(m: Make) -> str:
    return m.c("route53").create_health_check(CallerReference=m.name("ref"), HealthCheckConfig={
        "Type": "HTTP", "FullyQualifiedDomainName": "example.com", "Port": 80})["HealthCheck"]["Id"]


def pipeline(m: Make) -> str:
    def action(name, category, provider, inputs=(), outputs=()):
        return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider,
                                               "version": "1"},
                "inputArtifacts": [{"name": i} for i in inputs], "outputArtifacts": [{"name": o} for o in outputs]}

    name = m.name("inv")
    m.c("codepipeline").create_pipeline(pipeline={
        "name": name, "roleArn": m.role("codepipeline.amazonaws.com"),
        "artifactStore": {"type": "S3", "location": m.bucket()},
        "stages": [{"name": "Source", "actions": [action("Source", "Source", "S3", outputs=["src"])]},
                   {"name": "Build", "actions": [action("Build", "Build", "CodeBuild", ["src"], ["out"])]}]})
    return name


def codedeploy_application(m: Make) -> str:
    name = m.name("inv")
    m.c("codedeploy").create_application(applicationName=name, computePlatform="Server")
    return name


def function(m: Make) -> str:
    return m.function().split(":")[-1]


def layer_version(m: Make) -> str:
    return m.c("lambda").publish_layer_version(
        LayerName=m.name("inv"), Content={"ZipFile": labkit.zip_code({"python/inv.py": "X = 1\n"})})[
        "LayerVersionArn"]


def delivery_stream(m: Make) -> str:
    name = m.name("inv")
    m.c("firehose").create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration={
        "RoleARN": m.role("firehose.amazonaws.com"), "BucketARN": f"arn:aws:s3:::{m.bucket()}"})
    return name


def stream(m: Make) -> str:
    name = m.name("inv")
    m.c("kinesis").create_stream(StreamName=name, ShardCount=1)
    return name


def quicksight_user(m: Make) -> str:
    name = m.name("inv")
    m.c("quicksight").register_user(AwsAccountId=m.account, Namespace="default", IdentityType="QUICKSIGHT",
                                    UserRole="READER", UserName=name, Email=f"{name}@example.com")
    return name


def quicksight_group(m: Make) -> str:
    name = m.name("inv")
    m.c("quicksight").create_group(AwsAccountId=m.account, Namespace="default", GroupName=name)
    return name


def quicksight_data_source(m: Make) -> str:
    source = m.name("inv")
    m.c("quicksight").create_data_source(AwsAccountId=m.account, DataSourceId=source, Name="inventory", Type="S3",
                                         DataSourceParameters={"S3Parameters": {"ManifestFileLocation": {
                                             "Bucket": m.bucket(), "Key": "manifest.json"}}})
    return source


def appsync_api(m: Make) -> str:
    return m.c("appsync").create_graphql_api(name=m.name("inv"), authenticationType="API_KEY")["graphqlApi"]["apiId"]


def appconfig_application(m: Make) -> str:
    client = m.c("appconfig")
    app = client.create_application(Name=m.name("inv"))["Id"]
    profile = client.create_configuration_profile(ApplicationId=app, Name="flags", LocationUri="hosted",
                                                  Type="AWS.AppConfig.FeatureFlags")["Id"]
    client.create_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=profile,
                                               Content=b'{"version": "1", "flags": {}, "values": {}}',
                                               ContentType="application/json")
    return app


def data_pipeline(m: Make) -> str:
    return m.c("datapipeline").create_pipeline(name=m.name("inv"), uniqueId=m.name("u"))["pipelineId"]


def parameter(m: Make) -> str:
    name = "/" + m.name("inv")
    m.c("ssm").put_parameter(Name=name, Value="v", Type="String")
    return name


def table(m: Make) -> str:
    name = m.name("inv")
    m.c("dynamodb").create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    return name


def bucket(m: Make) -> str:
    name = m.bucket()
    s3 = m.c("s3")
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):  # delete empties every version first
        s3.put_object(Bucket=name, Key="k", Body=body)
    s3.delete_object(Bucket=name, Key="k")
    return name


def identity_pool(m: Make) -> str:
    return m.c("cognito-identity").create_identity_pool(IdentityPoolName=m.name("inv").replace("-", "_"),
                                                        AllowUnauthenticatedIdentities=False)["IdentityPoolId"]


def user_pool(m: Make) -> str:
    return m.c("cognito-idp").create_user_pool(PoolName=m.name("inv"))["UserPool"]["Id"]


def alias(m: Make) -> str:
    name = "alias/" + m.name("inv")
    m.c("kms").create_alias(AliasName=name, TargetKeyId=m.key())
    return name


def log_group(m: Make) -> str:
    name = "/labkit/" + m.name("inv")
    m.c("logs").create_log_group(logGroupName=name)
    return name


def user(m: Make) -> str:
    name, iam = m.name("inv"), m.c("iam")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)  # delete removes keys first
    return name


def group(m: Make) -> str:
    name = m.name("inv")
    m.c("iam").create_group(GroupName=name)
    return name


def role(m: Make) -> str:
    return m.role().split("/")[-1]


def instance_profile(m: Make) -> str:
    name = m.name("inv")
    m.c("iam").create_instance_profile(InstanceProfileName=name)
    return name


def policy(m: Make) -> str:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                                                        "Resource": "*"}]}
    return m.c("iam").create_policy(PolicyName=m.name("inv"), PolicyDocument=json.dumps(document))["Policy"]["Arn"]


FACTORIES = {
    "cloudformation.stack-set": stack_set,
    "cloudformation.stack": stack,
    "ecs.service": ecs_service,
    "ecs.task": ecs_task,
    "ecs.container-instance": container_instance,
    "ec2.elastic-ip": elastic_ip,
    "ecs.cluster": lambda m: m.cluster(),
    "ecs.task-definition": lambda m: m.task_definition(),
    "rds.event-subscription": event_subscription,
    "events.rule": rule,
    "events.event-bus": event_bus,
    "events.archive": archive,
    "rds.db-instance": lambda m: m.db_instance(),
    "batch.job-queue": job_queue,
    "cloudwatch.alarm": alarm,
    "cloudwatch.dashboard": dashboard,
    "xray.sampling-rule": sampling_rule,
    "rds.db-snapshot": db_snapshot,
    "batch.compute-environment": lambda m: m.compute_environment(),
    "batch.job-definition": job_definition,
    "rds.db-parameter-group": db_parameter_group,
    "rds.db-subnet-group": db_subnet_group,
    "apigateway.usage-plan": lambda m: m.c("apigateway").create_usage_plan(name=m.name("inv"))["id"],
    "ec2.instance": lambda m: m.instance(),
    "apigateway.api-key": lambda m: m.c("apigateway").create_api_key(name=m.name("inv"))["id"],
    "ec2.nat-gateway": nat_gateway,
    "apigateway.rest-api": lambda m: m.c("apigateway").create_rest_api(name=m.name("inv"))["id"],
    "ec2.vpc-endpoint": vpc_endpoint,
    "efs.file-system": lambda m: m.c("efs").create_file_system(CreationToken=m.name("inv"))["FileSystemId"],
    "ec2.vpc-peering": peering,
    "ec2.egress-only-internet-gateway": egress_only_gateway,
    "ec2.internet-gateway": internet_gateway,
    "ec2.network-acl": network_acl,
    "ec2.route-table": route_table,
    "secretsmanager.secret": lambda m: m.c("secretsmanager").create_secret(Name=m.name("inv"),
                                                                          SecretString="s")["ARN"],
    "stepfunctions.state-machine": state_machine,
    "ec2.security-group": lambda m: m.security_group(m.vpc()),
    "ec2.subnet": lambda m: m.subnet(m.vpc()),
    "ec2.vpc": lambda m: m.vpc(),
    "elasticbeanstalk.application": lambda m: m.c("elasticbeanstalk").create_application(
        ApplicationName=m.name("inv"))["Application"]["ApplicationName"],
    "lambda.event-source-mapping": event_source_mapping,
    "route53.hosted-zone": hosted_zone,
    "route53.health-check": health_check,
    "codepipeline.pipeline": pipeline,
    "codedeploy.application": codedeploy_application,
    "codebuild.project": lambda m: m.c("codebuild").create_project(
        name=m.name("inv"), source={"type": "S3", "location": f"{m.bucket()}/source.zip"},
        artifacts={"type": "NO_ARTIFACTS"}, serviceRole=m.role("codebuild.amazonaws.com"),
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL"})["project"]["name"],
    "ecr.repository": lambda m: m.c("ecr").create_repository(repositoryName=m.name("inv"))["repository"][
        "repositoryName"],
    "lambda.function": function,
    "lambda.layer-version": layer_version,
    "firehose.delivery-stream": delivery_stream,
    "kinesis.stream": stream,
    "quicksight.user": quicksight_user,
    "sns.topic": lambda m: m.topic(),
    "quicksight.group": quicksight_group,
    "quicksight.data-source": quicksight_data_source,
    "datapipeline.pipeline": data_pipeline,
    "appsync.graphql-api": appsync_api,
    "appconfig.application": appconfig_application,
    "sqs.queue": lambda m: m.c("sqs").create_queue(QueueName=m.name("inv"))["QueueUrl"],
    "ssm.parameter": parameter,
    "dynamodb.table": table,
    "s3.bucket": bucket,
    "cognito-identity.identity-pool": identity_pool,
    "cognito-idp.user-pool": user_pool,
    "kms.alias": alias,
    "kms.key": lambda m: m.key(),
    "logs.log-group": log_group,
    "iam.user": user,
    "iam.group": group,
    "iam.role": role,
    "iam.instance-profile": instance_profile,
    "iam.policy": policy,
}
