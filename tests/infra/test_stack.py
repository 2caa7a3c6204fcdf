import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk.assertions import Match

from cdk.constructs.analytics import SALES_DAILY_COLUMNS
from cdk.constructs.api import api_routes
from cdk.nag import ACKNOWLEDGED
from smartretail import settings as settings_models


def resources(body, kind):
    return {k: v for k, v in body["Resources"].items() if v["Type"] == kind}


def test_every_bucket_is_encrypted_versioned_private_and_logged(synthesized):
    _, body, template = synthesized
    buckets = resources(body, "AWS::S3::Bucket")
    assert len(buckets) == 9  # raw, cleaned, curated, documents, artifacts, query results, access logs; dashboard site and its logs
    for logical, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}, logical
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True
        }, logical
        assert props["LifecycleConfiguration"]["Rules"], logical
        if "AccessLogs" not in logical:
            assert "LoggingConfiguration" in props, logical
    policies = resources(body, "AWS::S3::BucketPolicy").values()
    tls_denials = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]
                   if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
    assert len(tls_denials) == 9


@pytest.mark.parametrize("bucket, uploads, derived", [("DataLakeRaw", "raw/", ("accepted/", "quarantine/")),
                                                     ("DataLakeDocuments", "docs/", ("results/",))])
def test_what_users_upload_is_never_expired_not_even_a_replaced_version(synthesized, bucket, uploads, derived):
    _, body, _ = synthesized
    found = next(v for k, v in body["Resources"].items() if k.startswith(bucket) and v["Type"] == "AWS::S3::Bucket")
    rules = found["Properties"]["LifecycleConfiguration"]["Rules"]
    assert all("ExpirationInDays" not in rule for rule in rules)
    expiring_versions = [rule for rule in rules if "NoncurrentVersionExpiration" in rule]
    assert expiring_versions
    assert all(rule.get("Prefix") in derived for rule in expiring_versions)
    assert not any(rule.get("Prefix", "").startswith(uploads) for rule in expiring_versions)


def test_every_api_method_requires_a_cognito_token(synthesized):
    _, body, template = synthesized
    methods = [m["Properties"] for m in resources(body, "AWS::ApiGateway::Method").values()]
    routes = [m for m in methods if m["HttpMethod"] != "OPTIONS"]
    assert len(routes) == len(api_routes()) + len(api_routes("copilot")) + len(api_routes("storefront"))
    assert all(m["AuthorizationType"] == "COGNITO_USER_POOLS" for m in routes)
    # CORS preflights are answered by API Gateway itself and never reach a function.
    assert all(m["Integration"]["Type"] == "MOCK" for m in methods if m["HttpMethod"] == "OPTIONS")
    template.has_resource_properties("AWS::ApiGateway::Stage", {
        "MethodSettings": Match.array_with([Match.object_like({"ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200})]),
        "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
        "TracingEnabled": True,
    })


def test_user_pool_has_the_three_groups_and_an_immutable_tenant_claim(synthesized):
    _, body, template = synthesized
    groups = {g["Properties"]["GroupName"] for g in resources(body, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"sellers", "managers", "admins"}
    template.has_resource_properties("AWS::Cognito::UserPool", {
        "Schema": Match.array_with([Match.object_like({"Name": "tenant_id", "Mutable": False})]),
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
    })
    client = next(iter(resources(body, "AWS::Cognito::UserPoolClient").values()))["Properties"]
    assert "custom:tenant_id" not in client["WriteAttributes"]
    assert "custom:tenant_id" in client["ReadAttributes"]


@pytest.mark.parametrize("function, settings", [
    ("ApiApiFunction", settings_models.ApiSettings),
    ("IngestionValidationFunction", settings_models.ValidationSettings),
    ("TrainingPipelineLoaderFunction", settings_models.ForecastLoaderSettings),
    ("DecisionsAlertsEvaluatorFunction", settings_models.AlertsEvaluatorSettings),
    ("DocumentsProcessorFunction", settings_models.DocumentProcessorSettings),
    ("CopilotCopilotFunction", settings_models.CopilotSettings),
    ("StorefrontTrainingLoaderFunction", settings_models.StorefrontLoaderSettings),
    ("StorefrontStorefrontFunction", settings_models.SearchSettings),  # its other defaults (request limits) are kept
])
def test_every_function_gets_each_setting_it_reads_from_the_stack(synthesized, function, settings):
    _, body, _ = synthesized
    (found,) = [v for k, v in resources(body, "AWS::Lambda::Function").items() if k.startswith(function)]
    env = set(found["Properties"]["Environment"]["Variables"])
    provided_by_lambda_or_local_only = {"AWS_REGION", "SMARTRETAIL_LOCAL", "LOCAL_SEARCH_BUCKET"}
    assert set(settings.model_fields) - provided_by_lambda_or_local_only <= env


def test_the_api_function_is_traced_and_has_its_layers(synthesized):
    _, body, _ = synthesized
    api = next(v for k, v in resources(body, "AWS::Lambda::Function").items() if k.startswith("ApiApiFunction"))
    assert api["Properties"]["Handler"] == "api_handler.handler"
    assert len(api["Properties"]["Layers"]) == 2
    assert api["Properties"]["TracingConfig"] == {"Mode": "Active"}


def test_the_validation_function_cannot_delete_or_rewrite_raw_uploads(synthesized):
    _, body, _ = synthesized
    policy = next(v for k, v in resources(body, "AWS::IAM::Policy").items() if k.startswith("IngestionValidationFunction"))
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if a.startswith("s3:Delete")]
    writes = [s for s in statements if any(a.startswith("s3:PutObject") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))]
    targets = json.dumps([s["Resource"] for s in writes])
    assert "/accepted/*" in targets
    assert "/quarantine/*" in targets
    assert "/raw/*" not in targets


def test_uploads_reach_the_validator_through_an_eventbridge_rule(synthesized):
    _, _, template = synthesized
    template.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": Match.object_like({
            "source": ["aws.s3"], "detail-type": ["Object Created"],
            "detail": Match.object_like({"object": {"key": [{"prefix": "raw/"}]}}),
        }),
        "Targets": Match.array_with([Match.object_like({"DeadLetterConfig": Match.any_value(), "RetryPolicy": Match.any_value()})]),
    })


def test_tables_have_point_in_time_recovery_and_deletion_protection(synthesized):
    _, body, _ = synthesized
    for table in resources(body, "AWS::DynamoDB::Table").values():
        assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"


def test_the_catalog_table_matches_what_the_etl_writes(synthesized):
    from smartretail.etl.transforms import curate_sales_daily
    import inspect

    _, body, _ = synthesized
    table = next(iter(resources(body, "AWS::Glue::Table").values()))["Properties"]["TableInput"]
    columns = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [name for name, _ in SALES_DAILY_COLUMNS]
    source = inspect.getsource(curate_sales_daily)
    for name in columns + ["dt"]:
        assert f'"{name}"' in source, f"curate_sales_daily does not write {name}"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["tenant_id", "dt"]
    assert table["Parameters"]["projection.tenant_id.type"] == "injected"


def test_glue_job_runs_glue_5_with_an_encrypting_security_configuration(synthesized):
    _, _, template = synthesized
    template.has_resource_properties("AWS::Glue::Job", {"GlueVersion": "5.0", "SecurityConfiguration": Match.any_value()})
    template.has_resource_properties("AWS::Athena::WorkGroup", {
        "WorkGroupConfiguration": Match.object_like({"EnforceWorkGroupConfiguration": True})
    })


def test_cdk_nag_reports_nothing_unacknowledged(synthesized):
    outdir, _, _ = synthesized
    report = json.loads((outdir / "validation-report.json").read_text())
    assert [p for p in report["pluginReports"] if p["conclusion"] != "success"] == []


def test_cdk_nag_fails_the_synth_when_a_finding_is_not_acknowledged(monkeypatch, tmp_path):
    import cdk.nag
    import cdk.constructs.packaging
    from app import build_app

    monkeypatch.setattr(cdk.constructs.packaging, "acknowledge", lambda *_: None)  # functions acknowledge nothing
    with pytest.raises(RuntimeError, match="ValidationFailed") as failure:
        build_app(context={"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path)).synth()
    assert "AwsSolutions-L1" in str(failure.value)


def test_an_acknowledgment_covers_only_the_construct_it_was_made_on(tmp_path):
    """Functions acknowledge X-Ray's Resource::*; a new role with a wildcard elsewhere still fails."""
    from aws_cdk import Stack, aws_iam as iam

    from app import build_app

    app = build_app(context={"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path))
    stack = next(c for c in app.node.children if isinstance(c, Stack))
    stray = iam.Role(stack, "StrayRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    stray.add_to_policy(iam.PolicyStatement(actions=["dynamodb:GetItem"], resources=["*"]))
    with pytest.raises(RuntimeError, match="ValidationFailed") as failure:
        app.synth()
    assert "StrayRole" in str(failure.value)
    assert "AwsSolutions-IAM5[Resource::*]" in str(failure.value)


def test_every_nag_acknowledgment_gives_a_reason(synthesized):
    assert len(ACKNOWLEDGED) > 30
    for finding, reason in ACKNOWLEDGED.items():
        assert finding.startswith("AwsSolutions-")
        assert len(reason.split()) >= 8, f"{finding}: say why in a sentence"


def test_cfn_lint_is_clean(synthesized):
    outdir, _, _ = synthesized
    templates = [str(p) for p in outdir.glob("*.template.json")]
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    done = subprocess.run([str(cfn_lint), *templates], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stdout + done.stderr


def _policy_statements(body, logical_prefix):
    return [s for k, v in resources(body, "AWS::IAM::Policy").items() if k.startswith(logical_prefix)
            for s in v["Properties"]["PolicyDocument"]["Statement"]]


def _actions_on(statements, table_logical_prefix):
    found = set()
    for s in statements:
        if table_logical_prefix in json.dumps(s["Resource"]):
            found |= set([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    return found


def test_no_function_can_rewrite_or_delete_the_audit_log(synthesized):
    _, body, _ = synthesized
    for function in ("ApiApiFunction", "DecisionsAlertsEvaluatorFunction"):
        actions = _actions_on(_policy_statements(body, function), "DecisionsAuditTable")
        assert actions == {"dynamodb:PutItem", "dynamodb:Query"}, (function, actions)


def test_alerts_are_evaluated_daily_for_each_scheduled_tenant_and_published_to_an_encrypted_topic(synthesized):
    _, body, template = synthesized
    rules = [r for r in resources(body, "AWS::Events::Rule").values() if "Evaluate the alerts" in r["Properties"].get("Description", "")]
    assert len(rules) == 1
    assert rules[0]["Properties"]["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert json.loads(rules[0]["Properties"]["Targets"][0]["Input"]) == {"tenant_id": "demo"}
    template.has_resource_properties("AWS::SNS::Topic", {"DisplayName": "SmartRetail alerts", "KmsMasterKeyId": Match.any_value()})
    assert "sns:Publish" in _actions_on(_policy_statements(body, "DecisionsAlertsEvaluatorFunction"), "DecisionsAlertsTopic")


def test_the_training_job_reads_only_the_cleaned_tables_it_needs(synthesized):
    _, body, _ = synthesized
    reads = json.dumps([s["Resource"] for s in _policy_statements(body, "TrainingPipelineSageMakerRole")
                        if "DataLakeCleaned" in json.dumps(s["Resource"])])
    for table in ("inventory", "products", "competitor_prices"):
        assert f"/{table}/*" in reads
    assert "/sales/*" not in reads


def test_the_api_stage_is_behind_a_web_acl_with_managed_rules_and_a_rate_limit(synthesized):
    _, body, _ = synthesized
    (acl,) = resources(body, "AWS::WAFv2::WebACL").values()
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"} <= set(rules)
    assert rules["RatePerAddress"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rules["RatePerAddress"]["Action"] == {"Block": {}}
    # Bodies over 8 KB are blocked except on file previews, which carry a file's first part.
    (override,) = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert override == {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}
    large = rules["LargeBodiesOnlyForPreviews"]
    assert large["Action"] == {"Block": {}} and large["Priority"] > rules["AWSManagedRulesCommonRuleSet"]["Priority"]
    label, not_preview = large["Statement"]["AndStatement"]["Statements"]
    assert label["LabelMatchStatement"]["Key"] == "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
    preview_post = [m["ByteMatchStatement"]["SearchString"] for m in not_preview["NotStatement"]["Statement"]["AndStatement"]["Statements"]]
    assert preview_post == ["POST", "/ingest/", "/preview"]
    (association,) = resources(body, "AWS::WAFv2::WebACLAssociation").values()
    assert "Stage" in json.dumps(association["Properties"]["ResourceArn"])
    assert "AwsSolutions-APIG3" not in ACKNOWLEDGED


def test_every_eventbridge_target_keeps_what_it_could_not_deliver_in_a_dead_letter_queue(synthesized):
    _, body, _ = synthesized
    rules = resources(body, "AWS::Events::Rule")
    assert any("ScheduleExpression" in rule["Properties"] for rule in rules.values())  # the dev stage schedules the demo tenant
    for name, rule in rules.items():
        for target in rule["Properties"]["Targets"]:
            assert "Arn" in target.get("DeadLetterConfig", {}), (name, target["Id"])
            assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 2, name


def test_every_failure_mode_the_design_names_has_an_alarm_to_the_operations_topic(synthesized):
    _, body, _ = synthesized
    alarms = resources(body, "AWS::CloudWatch::Alarm")
    (topic,) = [k for k, v in resources(body, "AWS::SNS::Topic").items() if v["Properties"]["DisplayName"] == "SmartRetail operations"]
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}], name
    names = " ".join(alarms)
    api = next(a for n, a in alarms.items() if "Api5xxRate" in n)["Properties"]
    assert (api["Threshold"], api["EvaluationPeriods"]) == (2, 2)  # 2% over two 5-minute periods
    assert "100 * errors / requests" in json.dumps(api["Metrics"])
    for function in ("Api", "Validation", "AlertsEvaluator", "DocumentProcessor", "ForecastLoader"):
        assert f"{function}Errors" in names
    for queue in resources(body, "AWS::SQS::Queue"):
        assert any(queue in json.dumps(a["Properties"].get("Dimensions", [])) for a in alarms.values()), queue
    for machine in resources(body, "AWS::StepFunctions::StateMachine"):
        assert any(machine in json.dumps(a["Properties"].get("Metrics", [])) for a in alarms.values()), machine
    documents = next(a for n, a in alarms.items() if "DocumentReadingFailures" in n)["Properties"]
    assert documents["Threshold"] == 5 and '"Period": 3600' in json.dumps(documents["Metrics"])
    assert resources(body, "AWS::CloudWatch::Dashboard")


def test_logs_are_kept_as_the_stage_says_and_survive_the_stack(synthesized):
    _, body, _ = synthesized
    groups = resources(body, "AWS::Logs::LogGroup")
    assert len(groups) >= 8
    for name, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == 30, name  # dev; prod keeps a year
        assert group["DeletionPolicy"] == "Retain", name


def test_access_logs_say_which_user_and_tenant_called():
    from cdk.constructs.api import ACCESS_LOG_FORMAT

    line = json.loads(ACCESS_LOG_FORMAT)
    assert line["user"] == "$context.authorizer.claims.sub"
    assert line["tenant"] == "$context.authorizer.claims['custom:tenant_id']"


def test_production_requires_mfa_and_no_client_has_oauth_flows(tmp_path):
    from aws_cdk.assertions import Template

    from app import build_app

    app = build_app(context={"stage": "prod", "aws:cdk:bundling-stacks": []}, outdir=str(tmp_path))
    template = Template.from_stack(next(c for c in app.node.children if hasattr(c, "template_options")))
    template.has_resource_properties("AWS::Cognito::UserPool", {"MfaConfiguration": "ON",
                                                                "EnabledMfas": ["SOFTWARE_TOKEN_MFA"]})
    for client in template.find_resources("AWS::Cognito::UserPoolClient").values():
        props = client["Properties"]
        assert "AllowedOAuthFlows" not in props and not props.get("AllowedOAuthFlowsUserPoolClient"), props
    groups = template.find_resources("AWS::Logs::LogGroup").values()
    assert {g["Properties"]["RetentionInDays"] for g in groups} == {365}


def test_the_etl_role_has_no_managed_policy_and_the_logs_key_serves_its_log_groups_only(synthesized):
    _, body, _ = synthesized
    (role,) = [r for k, r in resources(body, "AWS::IAM::Role").items() if k.startswith("AnalyticsEtlRole")]
    assert "ManagedPolicyArns" not in role["Properties"]
    (key,) = [k for k in resources(body, "AWS::KMS::Key").values() if "Glue" in k["Properties"].get("Description", "")]
    logs_statement = next(s for s in key["Properties"]["KeyPolicy"]["Statement"] if "logs." in json.dumps(s["Principal"]))
    assert "/aws-glue/*" in json.dumps(logs_statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])


def test_the_validator_has_room_for_the_largest_upload_and_a_destination_for_failed_checks(synthesized):
    from cdk.config import load_stage

    _, body, _ = synthesized
    (fn,) = [f for k, f in resources(body, "AWS::Lambda::Function").items() if k.startswith("IngestionValidationFunction")]
    assert fn["Properties"]["EphemeralStorage"]["Size"] * 2**20 >= 6 * load_stage("dev").max_upload_bytes
    (config,) = resources(body, "AWS::Lambda::EventInvokeConfig").values()
    assert "IngestionValidationDeadLetters" in json.dumps(config["Properties"]["DestinationConfig"]["OnFailure"])


def test_each_tenant_has_its_share_of_the_api_and_only_the_api_subscribes_to_the_alerts_topic(synthesized):
    from cdk.config import load_stage

    _, body, _ = synthesized
    (fn,) = [f for k, f in resources(body, "AWS::Lambda::Function").items() if k.startswith("ApiApiFunction")]
    env = fn["Properties"]["Environment"]["Variables"]
    config = load_stage("dev")
    assert int(env["TENANT_REQUESTS_PER_MINUTE"]) == config.tenant_requests_per_minute <= config.api_rate_limit * 60
    (table,) = [t for k, t in resources(body, "AWS::DynamoDB::Table").items() if k.startswith("ApiRequestCountsTable")]
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    (policy,) = [p for p in resources(body, "AWS::SNS::TopicPolicy").values() if "DecisionsAlertsTopic" in json.dumps(p)]
    deny = next(s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "sns:Subscribe")
    assert deny["Effect"] == "Deny" and "aws:PrincipalArn" in deny["Condition"]["StringNotEquals"]


def test_cloudwatch_may_encrypt_alarm_messages_for_the_operations_topic(synthesized):
    _, body, _ = synthesized
    (topic,) = [t for t in resources(body, "AWS::SNS::Topic").values() if t["Properties"]["DisplayName"] == "SmartRetail operations"]
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    statements = body["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"} and "kms:GenerateDataKey*" in s["Action"]
               for s in statements)


def test_the_search_collection_is_encrypted_and_each_index_has_one_writer_and_its_readers(synthesized):
    _, body, _ = synthesized
    (collection,) = resources(body, "AWS::OpenSearchServerless::Collection").values()
    name = collection["Properties"]["Name"]
    assert collection["Properties"]["Type"] == "VECTORSEARCH" and len(name) <= 32
    policies = {p["Properties"]["Type"]: p for p in resources(body, "AWS::OpenSearchServerless::SecurityPolicy").values()}
    encryption = json.loads(policies["encryption"]["Properties"]["Policy"])
    assert encryption["AWSOwnedKey"] is True and encryption["Rules"][0]["Resource"] == [f"collection/{name}"]
    (network,) = json.loads(policies["network"]["Properties"]["Policy"])
    assert [r["ResourceType"] for r in network["Rules"]] == ["collection"]  # no dashboards
    assert {d for d in collection["DependsOn"]} >= {k for k, v in body["Resources"].items()
                                                    if v["Type"] == "AWS::OpenSearchServerless::SecurityPolicy"}
    permissions = {}
    for access in resources(body, "AWS::OpenSearchServerless::AccessPolicy").values():
        pieces = access["Properties"]["Policy"]["Fn::Join"][1]  # the JSON with the role's ARN spliced in
        (rule_set,) = json.loads("".join(p if isinstance(p, str) else "ROLE" for p in pieces))
        (role,) = [p for p in pieces if not isinstance(p, str)]
        assert rule_set["Principal"] == ["ROLE"]
        (index,) = rule_set["Rules"][0]["Resource"]
        permissions[(role["Fn::GetAtt"][0].split("Function")[0].removeprefix("Copilot"), index)] = set(rule_set["Rules"][0]["Permission"])
    copilot, catalog = f"index/{name}/copilot", f"index/{name}/catalog"
    assert permissions.keys() == {("DocumentsProcessor", copilot), ("Copilot", copilot),
                                  ("StorefrontTrainingLoader", catalog), ("StorefrontStorefront", catalog)}
    for writer in (("DocumentsProcessor", copilot), ("StorefrontTrainingLoader", catalog)):
        assert "aoss:WriteDocument" in permissions[writer] and "aoss:DeleteIndex" not in permissions[writer]
    assert permissions[("Copilot", copilot)] == permissions[("StorefrontStorefront", catalog)] == {"aoss:DescribeIndex", "aoss:ReadDocument"}
    processor = next(v for k, v in resources(body, "AWS::Lambda::Function").items() if k.startswith("DocumentsProcessorFunction"))
    env = processor["Properties"]["Environment"]["Variables"]
    assert env["SEARCH_INDEX"] == "copilot" and "Fn::GetAtt" in env["SEARCH_ENDPOINT"]
    statements = [s for p in resources(body, "AWS::IAM::Policy").values() if any(
        r["Ref"].startswith("DocumentsProcessorFunctionServiceRole") for r in p["Properties"]["Roles"])
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    (api_access,) = [s for s in statements if s["Action"] == "aoss:APIAccessAll"]
    assert api_access["Resource"] == {"Fn::GetAtt": [next(iter(resources(body, "AWS::OpenSearchServerless::Collection"))), "Arn"]}


def test_the_copilot_has_its_own_function_and_reads_but_never_writes_the_platforms_data(synthesized):
    _, body, _ = synthesized
    copilot = next(v for k, v in resources(body, "AWS::Lambda::Function").items() if k.startswith("CopilotCopilotFunction"))
    env = copilot["Properties"]["Environment"]["Variables"]
    assert {"CONVERSATIONS_TABLE", "FORECASTS_TABLE", "DECISIONS_TABLE", "DOCUMENTS_TABLE", "SEARCH_ENDPOINT"} <= env.keys()
    assert env["COPILOT_MODEL_ID"] == "" and env["COPILOT_MODEL"] == "planner"
    statements = [s for p in resources(body, "AWS::IAM::Policy").values()
                  if any(r["Ref"].startswith("CopilotCopilotFunctionServiceRole") for r in p["Properties"]["Roles"])
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    written = set()
    for statement in statements:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        if any(a.startswith(("dynamodb:", "s3:")) and any(w in a for w in ("Put", "Delete", "Write", "Update")) for a in actions):
            written |= {m for m in re.findall(r"'(?:Fn::GetAtt|Ref)': \['?([A-Za-z0-9]+)", str(statement["Resource"]))}
    # its conversations, each user's request count, cached answers and Athena's query results: nothing of the platform's data
    assert {w.rstrip("0123456789ABCDEF") for w in written} <= {"CopilotConversationsTable", "ApiRequestCountsTable", "ApiResultsCacheTable",
                                                               "DataLakeQueryResults"}
    conversations = next(v for k, v in resources(body, "AWS::DynamoDB::Table").items() if k.startswith("CopilotConversationsTable"))
    assert conversations["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    methods = [m["Properties"] for m in resources(body, "AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] != "OPTIONS"]
    chat = [m for m in methods if "Copilot" in json.dumps(m["Integration"]["Uri"])]
    assert len(chat) == 5 and all(m["AuthorizationType"] == "COGNITO_USER_POOLS" for m in chat)


def test_a_stage_with_a_bedrock_model_may_invoke_that_model_and_guardrail_only(monkeypatch, tmp_path):
    import dataclasses

    import app as app_module
    from aws_cdk.assertions import Template

    from cdk.config import load_stage

    def with_bedrock(stage):
        return dataclasses.replace(load_stage(stage), copilot_model="bedrock", bedrock_guardrail_id="gr-abc123",
                                   copilot_model_id="eu.anthropic.claude-3-5-haiku-20241022-v1:0")

    monkeypatch.setattr(app_module, "load_stage", with_bedrock)
    app = app_module.build_app(context={"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path))  # cdk-nag fails the synth on a finding
    body = Template.from_stack(next(c for c in app.node.children if hasattr(c, "template_options"))).to_json()
    copilot = next(v for k, v in resources(body, "AWS::Lambda::Function").items() if k.startswith("CopilotCopilotFunction"))
    env = copilot["Properties"]["Environment"]["Variables"]
    assert env["COPILOT_MODEL"] == "bedrock" and env["COPILOT_MODEL_ID"].startswith("eu.anthropic") and env["BEDROCK_GUARDRAIL_ID"] == "gr-abc123"
    statements = [s for p in resources(body, "AWS::IAM::Policy").values()
                  if any(r["Ref"].startswith("CopilotCopilotFunctionServiceRole") for r in p["Properties"]["Roles"])
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    (invoke,) = [s for s in statements if s["Action"] == "bedrock:InvokeModel" and "foundation-model/anthropic" in json.dumps(s["Resource"])]
    assert "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0" in invoke["Resource"]
    assert "inference-profile/eu.anthropic.claude-3-5-haiku-20241022-v1:0" in json.dumps(invoke["Resource"])
    (guardrail,) = [s for s in statements if s["Action"] == "bedrock:ApplyGuardrail"]
    assert "guardrail/gr-abc123" in json.dumps(guardrail["Resource"])


def test_the_dashboard_is_served_from_a_private_bucket_through_cloudfront_with_security_headers(synthesized):
    outdir, body, _ = synthesized
    (distribution,) = resources(body, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    behaviour = config["DefaultCacheBehavior"]
    assert config["DefaultRootObject"] == "index.html" and behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin and origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert "Logging" in config and "ResponseHeadersPolicyId" in behaviour
    # Only CloudFront, for this distribution, may read the site bucket.
    site = next(k for k, v in resources(body, "AWS::S3::Bucket").items() if k.startswith("WebSite"))
    (policy,) = [p for p in resources(body, "AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": site}]
    reads = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert reads and all(s["Principal"] == {"Service": "cloudfront.amazonaws.com"} and "AWS:SourceArn" in s["Condition"]["StringEquals"]
                         for s in reads)
    (headers,) = resources(body, "AWS::CloudFront::ResponseHeadersPolicy").values()
    security = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = json.dumps(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "cognito-idp.eu-west-1.amazonaws.com"):
        assert directive in csp
    assert '"Ref": "ApiRestApi' in csp  # connect-src names this stage's API
    assert security["FrameOptions"]["FrameOption"] == "DENY" and security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    # The build and this stage's config.json (API URL and the user pool client written at deploy time).
    (deployment,) = resources(body, "Custom::CDKBucketDeployment").values()
    props = deployment["Properties"]
    assert len(props["SourceObjectKeys"]) == 2 and "/config.json" in props["DistributionPaths"]
    markers = json.dumps(props["SourceMarkers"])
    assert "IdentityUserPoolApiClient" in markers and "ApiRestApi" in markers
    assert any((Path(outdir) / name / "index.html").exists() for name in os.listdir(outdir) if name.startswith("asset."))
    # The API and the upload buckets allow the distribution's origin.
    cors = [m for m in resources(body, "AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] == "OPTIONS"]
    assert all(distribution_name in json.dumps(m) for m in cors[:3] for distribution_name in [next(iter(resources(body, "AWS::CloudFront::Distribution")))])
    assert "DashboardUrl" in body["Outputs"]


def test_storefront_routes_need_an_access_token_with_their_scope_and_events_go_through_an_encrypted_stream(synthesized):
    _, body, template = synthesized
    scoped = [m["Properties"] for m in resources(body, "AWS::ApiGateway::Method").values() if m["Properties"].get("AuthorizationScopes")]
    assert len(scoped) == len(api_routes("storefront"))
    scopes = {json.dumps(m["AuthorizationScopes"]) for m in scoped}
    assert len(scopes) == 2 and all('"/read"' in s or '"/events"' in s for s in scopes)  # <resource server>/read or /events
    template.has_resource_properties("AWS::Cognito::UserPoolResourceServer", {
        "Identifier": "storefront", "Scopes": [Match.object_like({"ScopeName": "read"}), Match.object_like({"ScopeName": "events"})]})
    template.resource_count_is("AWS::Cognito::UserPoolDomain", 1)
    template.has_resource_properties("AWS::KinesisFirehose::DeliveryStream", {
        "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"},
        "ExtendedS3DestinationConfiguration": Match.object_like({
            "Prefix": "stream/!{partitionKeyFromQuery:tenant_id}/shopper-events/!{timestamp:yyyy/MM/dd}/",
            "DynamicPartitioningConfiguration": Match.object_like({"Enabled": True})}),
    })
    # The storefront function may only send to its stream and read the serving table; people's
    # machine clients are created by the API function on this pool only.
    policies = [p["Properties"]["PolicyDocument"]["Statement"] for p in resources(body, "AWS::IAM::Policy").values()]
    statements = [s for group in policies for s in group]
    firehose = [s for s in statements if "firehose:PutRecordBatch" in json.dumps(s["Action"])]
    assert len(firehose) == 1 and "Fn::GetAtt" in json.dumps(firehose[0]["Resource"])
    cognito = [s for s in statements if "cognito-idp:CreateUserPoolClient" in json.dumps(s["Action"])]
    assert len(cognito) == 1 and "*" not in json.dumps(cognito[0]["Resource"])


def test_storefront_training_runs_a_sagemaker_job_that_reads_only_shopper_events_and_the_catalogue(synthesized):
    _, body, template = synthesized
    (machine,) = [m for k, m in resources(body, "AWS::StepFunctions::StateMachine").items() if k.startswith("StorefrontTraining")]
    definition = json.dumps(machine["Properties"]["DefinitionString"])
    for state in ("StartTraining", "DescribeTraining", "LoadLists", "NotifyPublished", "NotifyNotPromoted", "NotifyFailure"):
        assert state in definition
    reads = json.dumps([s["Resource"] for s in _policy_statements(body, "StorefrontTrainingSageMakerRole")
                        if "DataLakeRaw" in json.dumps(s["Resource"])])
    for prefix in ("/stream/*", "/accepted/*/shopper-events/*", "/accepted/*/products/*", "/accepted/*/inventory/*"):
        assert prefix in reads
    assert "/accepted/*\"" not in reads and "/accepted/*/sales/*" not in reads and "/quarantine" not in reads
    # The state machine starts only its own training jobs and invokes only the storefront loader.
    jobs = [s for s in _policy_statements(body, "StorefrontTrainingStateMachineRole") if "sagemaker:CreateTrainingJob" in json.dumps(s["Action"])]
    assert len(jobs) == 1 and "training-job/sf-*" in json.dumps(jobs[0]["Resource"])
    loader_writes = _actions_on(_policy_statements(body, "StorefrontTrainingLoaderFunction"), "StorefrontStorefrontTable")
    assert loader_writes == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:Query"}
    rules = [r for r in resources(body, "AWS::Events::Rule").values() if "storefront" in r["Properties"].get("Description", "")]
    assert len(rules) == 1 and json.loads(rules[0]["Properties"]["Targets"][0]["Input"]) == {"tenant_id": "demo"}
