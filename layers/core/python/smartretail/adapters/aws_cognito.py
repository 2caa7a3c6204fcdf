"""Machine clients in the Cognito user pool: app clients with a secret, the client-credentials grant
and the storefront resource server's scopes, tokens valid an hour, revocable."""

from typing import Any

from .aws_clients import LazyClient, translates_errors


@translates_errors("Cognito")
class CognitoClientIssuer:
    _idp = LazyClient("cognito-idp")

    def __init__(self, user_pool_id: str, cognito: Any | None = None):
        self._pool, self._client = user_pool_id, cognito

    def create(self, name: str, scopes: list[str]) -> tuple[str, str]:
        client = self._idp.create_user_pool_client(
            UserPoolId=self._pool, ClientName=name, GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=scopes, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
            AccessTokenValidity=60, TokenValidityUnits={"AccessToken": "minutes"}, EnableTokenRevocation=True,
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]
        return client["ClientId"], client["ClientSecret"]

    def delete(self, client_id: str) -> None:
        try:
            self._idp.delete_user_pool_client(UserPoolId=self._pool, ClientId=client_id)
        except self._idp.exceptions.ResourceNotFoundException:
            pass  # already gone: revoking twice is not an error
