"""Create the template's resources in moto server (the AWS emulator)."""

from typing import Any

import boto3

from .template import Template


def _client(service: str) -> Any:
    from botocore.config import Config

    return boto3.client(service, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))


def create_buckets(t: Template) -> None:
    s3 = _client("s3")
    for logical, res in t.resources("AWS::S3::Bucket").items():
        name = t.local_name(logical)
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": t.region})
        props = t.resolve(res.get("Properties", {}))
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if "BucketEncryption" in props:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                        for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                    ]
                },
            )
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
    # CDK enables S3 -> EventBridge through a custom resource; apply its configuration directly.
    for res in t.resources("Custom::S3BucketNotifications").values():
        props = t.resolve(res["Properties"])
        s3.put_bucket_notification_configuration(
            Bucket=props["BucketName"], NotificationConfiguration=props["NotificationConfiguration"]
        )


def create_tables(t: Template) -> None:
    ddb = _client("dynamodb")
    for logical, res in t.resources("AWS::DynamoDB::Table").items():
        props = res["Properties"]
        request: dict[str, Any] = {
            "TableName": t.local_name(logical, 255),
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("DeletionProtectionEnabled"):
            request["DeletionProtectionEnabled"] = True
        if props.get("StreamSpecification"):
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        ddb.create_table(**request)
        if props.get("TimeToLiveSpecification"):
            ddb.update_time_to_live(TableName=request["TableName"], TimeToLiveSpecification=props["TimeToLiveSpecification"])


def create_queues(t: Template) -> None:
    sqs = _client("sqs")
    for logical in t.resources("AWS::SQS::Queue"):
        name = t.local_name(logical, 80)
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        t.physical[logical] = url
        t.arns[logical] = f"arn:aws:sqs:{t.region}:123456789012:{name}"


def create_topics(t: Template) -> None:
    sns = _client("sns")
    for logical in t.resources("AWS::SNS::Topic"):
        arn = sns.create_topic(Name=t.local_name(logical, 256))["TopicArn"]
        t.physical[logical] = t.arns[logical] = arn


def create_identity(t: Template) -> None:
    idp = _client("cognito-idp")
    for logical, res in t.resources("AWS::Cognito::UserPool").items():
        props = t.resolve(res["Properties"])
        request: dict[str, Any] = {"PoolName": t.local_name(logical, 128)}
        for key in ("Schema", "Policies", "UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes", "MfaConfiguration"):
            if key in props:
                request[key] = props[key]
        pool = idp.create_user_pool(**request)["UserPool"]
        t.physical[logical] = pool["Id"]
        t.arns[logical] = pool["Arn"]
    for logical, res in t.resources("AWS::Cognito::UserPoolClient").items():
        props = t.resolve(res["Properties"])
        client = idp.create_user_pool_client(
            UserPoolId=props["UserPoolId"],
            ClientName=t.local_name(logical, 128),
            ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
            ReadAttributes=props.get("ReadAttributes", []),
            WriteAttributes=props.get("WriteAttributes", []),
        )["UserPoolClient"]
        t.physical[logical] = client["ClientId"]
    for logical, res in t.resources("AWS::Cognito::UserPoolResourceServer").items():
        props = t.resolve(res["Properties"])
        idp.create_resource_server(UserPoolId=props["UserPoolId"], Identifier=props["Identifier"], Name=props["Name"],
                                   Scopes=props.get("Scopes", []))
        t.physical[logical] = props["Identifier"]  # what its Ref is (scopes are written "<identifier>/<scope>")
    for res in t.resources("AWS::Cognito::UserPoolGroup").values():
        props = t.resolve(res["Properties"])
        idp.create_group(UserPoolId=props["UserPoolId"], GroupName=props["GroupName"], Description=props.get("Description", ""))


def create_catalog(t: Template) -> None:
    glue = _client("glue")
    for logical, res in t.resources("AWS::Glue::Database").items():
        props = t.resolve(res["Properties"])
        glue.create_database(DatabaseInput=props["DatabaseInput"])
    for res in t.resources("AWS::Glue::Table").values():
        props = t.resolve(res["Properties"])
        glue.create_table(DatabaseName=props["DatabaseName"], TableInput=props["TableInput"])
    athena = _client("athena")
    for res in t.resources("AWS::Athena::WorkGroup").values():
        props = t.resolve(res["Properties"])
        athena.create_work_group(Name=props["Name"], Configuration=props.get("WorkGroupConfiguration", {}))


def create_jobs(t: Template) -> None:
    glue = _client("glue")
    for logical, res in t.resources("AWS::Glue::Job").items():
        props = t.resolve(res["Properties"])
        glue.create_job(Name=t.local_name(logical), Role=props["Role"], Command=props["Command"],
                        DefaultArguments=props.get("DefaultArguments", {}), GlueVersion=props.get("GlueVersion", "5.0"))


def create_model_registry(t: Template) -> None:
    sagemaker = _client("sagemaker")
    for res in t.resources("AWS::SageMaker::ModelPackageGroup").values():
        props = t.resolve(res["Properties"])
        sagemaker.create_model_package_group(ModelPackageGroupName=props["ModelPackageGroupName"],
                                             ModelPackageGroupDescription=props.get("ModelPackageGroupDescription", ""))


def training_state_machine(t: Template) -> str:
    """The logical ID of the training pipeline's state machine (the stack has others)."""
    (logical,) = [name for name in t.resources("AWS::StepFunctions::StateMachine") if name.startswith("TrainingPipeline")]
    return logical


def state_machine_definition(t: Template, logical: str) -> str:
    """The definition as CloudFormation deploys it: DefinitionString with its substitutions applied."""
    props = t.body["Resources"][logical]["Properties"]
    definition = str(t.resolve(props["DefinitionString"]))
    for name, value in t.resolve(props.get("DefinitionSubstitutions", {})).items():
        definition = definition.replace("${" + name + "}", str(value))
    return definition


def create_state_machines(t: Template) -> None:
    sfn = _client("stepfunctions")
    for logical, res in t.resources("AWS::StepFunctions::StateMachine").items():
        arn = sfn.create_state_machine(name=t.local_name(logical, 80), definition=state_machine_definition(t, logical),
                                       roleArn=str(t.resolve(res["Properties"]["RoleArn"])))["stateMachineArn"]
        t.physical[logical] = t.arns[logical] = arn


def create_all(t: Template) -> None:
    create_buckets(t)
    create_tables(t)
    create_queues(t)
    create_topics(t)
    create_identity(t)
    create_catalog(t)
    create_jobs(t)
    create_model_registry(t)
    create_state_machines(t)
