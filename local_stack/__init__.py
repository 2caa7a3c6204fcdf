"""The local stack: SmartRetail on one machine with no AWS account.

Everything here is derived from the synthesized CloudFormation template (buckets, tables, queues,
user pool, event rules, functions and their environment, API routes), so a route or resource added
in CDK is served locally and one removed is gone.
"""
