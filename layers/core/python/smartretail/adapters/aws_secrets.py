"""Secrets Manager: a secret's value read once at cold start (a model server's API key), never put in
the function's environment or its logs."""

from .aws_clients import client, errors_of


def secret_string(secret_id: str) -> str:
    with errors_of("Secrets Manager"):
        return client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
