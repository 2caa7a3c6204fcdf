"""The dashboard: web/'s build in a private bucket, served by CloudFront through origin access
control, with security headers (a Content-Security-Policy naming exactly this stage's API, sign-in
and upload buckets) and config.json written at deploy time, so one build serves every stage."""

from aws_cdk import (Aws, Duration, RemovalPolicy, Stack, Token, aws_apigateway as apigw, aws_cloudfront as cloudfront,
                     aws_cloudfront_origins as origins, aws_s3 as s3, aws_s3_deployment as s3deploy)
from constructs import Construct

from ..config import WEB_DIST_DIR
from ..nag import acknowledge, wildcard_under
from ..web_policy import content_security_policy

# Paths that must never be served stale after a deployment (the hashed assets under /assets can be).
ALWAYS_FRESH = ["/index.html", "/config.json", "/sw.js", "/manifest.webmanifest"]


def _resolved(scope: Construct, what: str) -> str:
    """The stack's account or region as cdk-nag prints it in a finding."""
    value = getattr(Stack.of(scope), what)
    return f"<AWS::{'AccountId' if what == 'account' else 'Region'}>" if Token.is_unresolved(value) else value


class WebConstruct(Construct):
    """The distribution exists first (the API and buckets allow its origin); `publish` then writes
    the build and config.json once the API and sign-in it points at exist."""

    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        if not (WEB_DIST_DIR / "index.html").exists():
            raise FileNotFoundError(f"{WEB_DIST_DIR} has no build: run `npm ci && npm run build` in web/ (./dev up and ./dev test do)")
        # CloudFront's standard logs are written with ACLs, so they get their own bucket that allows them.
        self.logs = s3.Bucket(self, "AccessLogs", encryption=s3.BucketEncryption.S3_MANAGED,
                              block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True, versioned=True,
                              object_ownership=s3.ObjectOwnership.OBJECT_WRITER, removal_policy=RemovalPolicy.RETAIN,
                              lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(365),
                                                                noncurrent_version_expiration=Duration.days(30))])
        self.bucket = s3.Bucket(self, "Site", encryption=s3.BucketEncryption.S3_MANAGED, block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                                enforce_ssl=True, versioned=True, server_access_logs_bucket=self.logs, server_access_logs_prefix="site/",
                                removal_policy=RemovalPolicy.DESTROY, auto_delete_objects=False,
                                lifecycle_rules=[s3.LifecycleRule(id="tidy-versions", noncurrent_version_expiration=Duration.days(30))])
        # The policy names the API and buckets, which exist later: `publish` writes it (nothing is allowed until then).
        self._headers = headers = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders",
            comment="SmartRetail dashboard: CSP, HSTS, no framing, no sniffing, no referrer",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy([], []), override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True),
            ))
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment="SmartRetail dashboard",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                compress=True,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            enable_logging=True, log_bucket=self.logs, log_file_prefix="cloudfront/",
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        acknowledge(self.distribution, {
            "AwsSolutions-CFR1": "The dashboard serves sellers wherever they are; who may use it is decided by Cognito sign-in, "
                                 "not by country.",
            "AwsSolutions-CFR2": "The distribution serves only static files (no forms, no origin logic); the API it calls has "
                                 "its own WAF web ACL.",
            "AwsSolutions-CFR4": "The stage has no custom domain yet, so viewers reach the default *.cloudfront.net "
                                 "certificate, whose protocol floor CloudFront sets; minimum_protocol_version TLSv1.2_2021 "
                                 "applies as soon as a domain and certificate are added.",
        })

    def publish(self, *, api: apigw.RestApi, region: str, client_id: str) -> None:
        """Write the build and this stage's config.json; let the page talk to this API, Cognito and
        S3 (presigned uploads and page views), and nothing else."""
        # S3 by its regional endpoints, not by bucket: the upload buckets' CORS rules name this
        # distribution, so naming them here would make each wait for the other.
        buckets = [f"https://*.s3.{region}.{Aws.URL_SUFFIX}", f"https://*.s3.{Aws.URL_SUFFIX}"]
        # The API by its origin: its stage's URL would make the headers wait for the API's deployment,
        # which waits for its CORS settings, which name this distribution.
        api_origin = f"https://{api.rest_api_id}.execute-api.{region}.{Aws.URL_SUFFIX}"
        connect = [api_origin, f"https://cognito-idp.{region}.amazonaws.com", *buckets]
        self._headers.node.default_child.add_property_override(
            "ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy",
            content_security_policy(connect, buckets))
        s3deploy.BucketDeployment(
            self, "Deploy",
            sources=[s3deploy.Source.asset(str(WEB_DIST_DIR)),
                     s3deploy.Source.json_data("config.json", {"apiUrl": api.url, "cognitoEndpoint": f"https://cognito-idp.{region}.amazonaws.com/",
                                                               "clientId": client_id, "region": region})],
            destination_bucket=self.bucket,
            distribution=self.distribution, distribution_paths=ALWAYS_FRESH,
            prune=True, memory_limit=512,
        )
        # CDK makes one deployment function for the stack, outside this construct.
        (handler,) = [c for c in Stack.of(self).node.children if c.node.id.startswith("Custom::CDKBucketDeployment")]
        acknowledge(handler, {
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]":
                "CDK's BucketDeployment function (runs only at deploy time) writes its own logs with the basic execution policy.",
            "AwsSolutions-IAM5[Action::s3:GetObject*]": "The deployment function reads the dashboard's build from CDK's asset bucket.",
            "AwsSolutions-IAM5[Action::s3:GetBucket*]": "Bucket-level read on the asset and site buckets, which the copy needs.",
            "AwsSolutions-IAM5[Action::s3:List*]": "Listing the site bucket to remove files a new build no longer has (prune).",
            "AwsSolutions-IAM5[Action::s3:DeleteObject*]": "Removing files of the previous build from the site bucket only (prune).",
            "AwsSolutions-IAM5[Action::s3:Abort*]": "Aborting its own multipart uploads into the site bucket.",
            wildcard_under(self.bucket, "/*"): "Writing the build's files into the site bucket, which holds nothing else.",
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{_resolved(self, 'account')}-{_resolved(self, 'region')}/*]":
                "Reading the build from CDK's bootstrap asset bucket, where `cdk deploy` uploads it.",
            "AwsSolutions-IAM5[Resource::*]": "CloudFront's CreateInvalidation cannot be scoped to a distribution by CDK's "
                                              "BucketDeployment; it only refreshes index.html, config.json and the service worker.",
            "AwsSolutions-L1": "CDK's BucketDeployment pins the runtime of its deploy-time function; it runs only during deployment.",
        })
