"""Cognito user pool: groups sellers/managers/admins and an immutable tenant claim."""

from aws_cdk import Duration, RemovalPolicy, aws_cognito as cognito, aws_lambda as lambda_
from constructs import Construct

from ..config import GROUPS, TENANT_CLAIM, StageConfig
from ..nag import acknowledge


class IdentityConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig):
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,  # admins invite users into their tenant
            sign_in_aliases=cognito.SignInAliases(email=True, username=True),
            custom_attributes={TENANT_CLAIM: cognito.StringAttribute(min_len=1, max_len=64, mutable=False)},
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            # Sellers change prices and orders, managers approve them: every user of a deployed stage signs
            # in with an authenticator app (the dashboard walks a new user through setting it up).
            mfa=cognito.Mfa.REQUIRED if config.mfa_required else cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.client = self.user_pool.add_client(
            "ApiClient",
            # SRP for SDK clients; password auth (over TLS, to Cognito only) for the dashboard's sign-in form.
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True, admin_user_password=True),
            prevent_user_existence_errors=True,
            # The dashboard and SDK clients sign in with Cognito's API (no hosted UI): no OAuth flows at all,
            # so no implicit grant and no callback URL anyone could register a token against.
            disable_o_auth=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            # Users may read but never write their tenant: it is set by an admin at creation.
            read_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, given_name=True, family_name=True
            ).with_custom_attributes(TENANT_CLAIM),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, given_name=True, family_name=True
            ),
        )
        findings = {"AwsSolutions-COG8": "Cognito's Plus feature plan (threat protection) is a per-account cost decision "
                                         "taken at go-live; passwords follow a strong policy and MFA is required in production."}
        if not config.mfa_required:
            findings["AwsSolutions-COG2"] = (f"The {config.stage} stage's demo and test users sign in without a second factor "
                                             "(MFA is available); the production stage requires it of every user.")
        acknowledge(self.user_pool, findings)
        for group in GROUPS:
            cognito.CfnUserPoolGroup(
                self, f"Group{group.title()}", user_pool_id=self.user_pool.user_pool_id, group_name=group,
                description=f"SmartRetail {group}",
            )

    def grant_api(self, fn: lambda_.Function) -> None:
        """The API verifies ID tokens of this pool and app client itself (after API Gateway's authorizer)."""
        fn.add_environment("COGNITO_USER_POOL_ID", self.user_pool.user_pool_id)
        fn.add_environment("COGNITO_CLIENT_ID", self.client.user_pool_client_id)
