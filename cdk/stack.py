"""The SmartRetail stack for one stage: composes the capability constructs."""

from dataclasses import replace

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from .config import SEARCH_DEPS_LAYER_DIR, StageConfig
from .constructs.analytics import AnalyticsConstruct
from .constructs.api import ApiConstruct, api_routes
from .constructs.data_lake import DataLakeConstruct
from .constructs.copilot import CATALOG_INDEX, CopilotConstruct, CopilotSearchConstruct
from .constructs.decisions import DecisionsConstruct
from .constructs.documents import DocumentsConstruct
from .constructs.forecasting import ForecastingConstruct
from .constructs.identity import IdentityConstruct
from .constructs.ingestion import IngestionConstruct
from .constructs.monitoring import MonitoringConstruct
from .constructs.packaging import core_layer, deps_layer
from .constructs.storefront import StorefrontConstruct
from .constructs.storefront_training import StorefrontTrainingConstruct
from .constructs.training_pipeline import TrainingPipelineConstruct
from .constructs.web import WebConstruct


class SmartRetailStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        # The dashboard's distribution first: the API and the upload buckets allow its origin.
        web = WebConstruct(self, "Web")
        config = replace(config, dashboard_origins=(*config.dashboard_origins, web.url))
        for key, value in config.tags.items():
            Tags.of(self).add(key, value)
        Tags.of(self).add("stage", config.stage)

        layers = [deps_layer(self, "DepsLayer"), core_layer(self, "CoreLayer")]
        # The copilot's search client, for the functions that index (document processor) or search (copilot).
        search_layer = deps_layer(self, "SearchDepsLayer", SEARCH_DEPS_LAYER_DIR, "SmartRetail search dependencies (opensearch-py)")
        lake = DataLakeConstruct(self, "DataLake", config=config)
        identity = IdentityConstruct(self, "Identity", config=config)
        analytics = AnalyticsConstruct(
            self, "Analytics", config=config, raw_bucket=lake.raw, cleaned_bucket=lake.cleaned,
            curated_bucket=lake.curated, query_results_bucket=lake.query_results,
        )
        ingestion = IngestionConstruct(self, "Ingestion", config=config, raw_bucket=lake.raw, layers=layers)
        forecasting = ForecastingConstruct(self, "Forecasting", config=config)
        decisions = DecisionsConstruct(self, "Decisions", config=config, forecasts_table=forecasting.forecasts_table,
                                       models_table=forecasting.models_table, layers=layers)
        documents = DocumentsConstruct(self, "Documents", config=config, documents_bucket=lake.documents,
                                       alerts_table=decisions.alerts_table, audit_table=decisions.audit_table,
                                       alerts_topic=decisions.alerts_topic, layers=[*layers, search_layer])
        copilot_search = CopilotSearchConstruct(self, "CopilotSearch", config=config)
        copilot_search.grant_index(documents.processor)
        api = ApiConstruct(self, "Api", config=config, user_pool=identity.user_pool, layers=layers)
        for capability in (identity, ingestion, analytics, forecasting, decisions, documents):
            capability.grant_api(api.function)
        copilot = CopilotConstruct(self, "Copilot", config=config, layers=[*layers, search_layer], search=copilot_search,
                                   request_counts=api.request_counts, results_cache=api.results_cache)
        for capability in (identity, analytics, forecasting):  # what they grant the API is read-only already
            capability.grant_api(copilot.function)
        decisions.grant_read(copilot.function)
        documents.grant_read(copilot.function)
        api.add_routes(copilot.function, api_routes("copilot"))
        # The storefront searches its catalogue in the same collection (its own index); the loader indexes it.
        storefront = StorefrontConstruct(self, "Storefront", config=config, user_pool=identity.user_pool, raw_bucket=lake.raw,
                                         layers=[*layers, search_layer], request_counts=api.request_counts)
        copilot_search.grant_index(storefront.function, read_only=True, index=CATALOG_INDEX)
        storefront.add_routes(api)
        storefront.grant_api(api.function, identity.user_pool)
        web.publish(api=api.api, region=self.region, client_id=identity.client.user_pool_client_id)
        pipeline = TrainingPipelineConstruct(
            self, "TrainingPipeline", config=config, curated_bucket=lake.curated, cleaned_bucket=lake.cleaned,
            artifacts_bucket=lake.artifacts, etl_job_name=analytics.job.ref, forecasts_table=forecasting.forecasts_table,
            models_table=forecasting.models_table, decisions_table=decisions.decisions_table,
            results_cache=api.results_cache, layers=layers,
        )
        # The model monitor runs with the daily alerts evaluation: it reads curated actuals and may ask for a run.
        analytics.grant_api(decisions.evaluator)
        pipeline.retrain_on_request(decisions.evaluator)
        storefront_training = StorefrontTrainingConstruct(
            self, "StorefrontTraining", config=config, raw_bucket=lake.raw, artifacts_bucket=lake.artifacts,
            storefront_table=storefront.table, topic=pipeline.topic, layers=[*layers, search_layer],
        )
        copilot_search.grant_index(storefront_training.loader, index=CATALOG_INDEX)
        monitoring = MonitoringConstruct(
            self, "Monitoring", config=config, api=api.api,
            functions={"Api": api.function, "Copilot": copilot.function, "Storefront": storefront.function, "Validation": ingestion.validation_function, "AlertsEvaluator": decisions.evaluator,
                       "DocumentProcessor": documents.processor, "ForecastLoader": pipeline.loader,
                       "StorefrontLoader": storefront_training.loader},
            queues={name: queue for name, queue in (
                ("Validation", ingestion.dead_letters), ("AlertsEvaluation", decisions.dead_letters),
                ("DocumentPipelineStart", documents.dead_letters), ("TrainingSchedule", pipeline.dead_letters),
                ("StorefrontTrainingSchedule", storefront_training.dead_letters)) if queue is not None},
            state_machines={"DocumentPipeline": documents.state_machine, "TrainingPipeline": pipeline.state_machine,
                            "StorefrontTraining": storefront_training.state_machine},
        )
        CfnOutput(self, "OperationsTopicArn", value=monitoring.topic.topic_arn)
        CfnOutput(self, "TrainingPipelineArn", value=pipeline.state_machine.state_machine_arn)
        CfnOutput(self, "StorefrontTrainingArn", value=storefront_training.state_machine.state_machine_arn)
        CfnOutput(self, "PipelineTopicArn", value=pipeline.topic.topic_arn)
        CfnOutput(self, "AlertsTopicArn", value=decisions.alerts_topic.topic_arn)
        CfnOutput(self, "DocumentPipelineArn", value=documents.state_machine.state_machine_arn)
        CfnOutput(self, "ApiUrl", value=api.api.url)
        CfnOutput(self, "DashboardUrl", value=web.url)
        CfnOutput(self, "CopilotSearchEndpoint", value=copilot_search.endpoint)
        CfnOutput(self, "UserPoolId", value=identity.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=identity.client.user_pool_client_id)
        CfnOutput(self, "RawBucketName", value=lake.raw.bucket_name)
        CfnOutput(self, "StorefrontTokenUrl", value=storefront.token_url)
