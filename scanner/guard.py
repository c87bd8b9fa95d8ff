"""The read-only guard: a botocore ``before-call`` hook that refuses anything not on the list.

It is installed on every session the scanner uses, in production, so a bug in a
collector can never change an account or read a secret. The list is explicit:
(service, operation) pairs the scanner is known to call, derived from the code and
kept true by ``tests/test_hardening_guard.py``, plus the few calls the AWS SDK makes
by itself to resolve credentials. A name prefix (``Get*``) is not enough: some
``Get`` operations hand out credentials or secrets (``redshift:GetClusterCredentials``,
``cognito-identity:GetId``, ``ssm:GetParameterHistory``).

``sts:AssumeRole`` is allowed by its pair for two callers only: the SDK resolving a
``role_arn`` profile, and ``awsscan org`` assuming ``--role-name`` into member accounts
from one STS client of the caller's session (scanner/org/assume.py). No collector calls it
(tests/test_org.py checks statically), and every member account's session also refuses all
credential-minting calls (``scanner.org.assume.refuse_credential_calls``), so a scan running
inside a member account can never obtain further credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: what the scanner itself calls, per botocore service name (the name given to
#: ``session.client``), in botocore's PascalCase operation names. A new collector call
#: must be added here; the guard refuses it otherwise (and the static test says so).
SCANNER_READS_BY_SERVICE: dict[str, tuple[str, ...]] = {
    "accessanalyzer": ("ListAnalyzers", "ListFindings"),
    "account": ("GetAlternateContact",),
    "acm": ("DescribeCertificate", "ListCertificates"),
    "apigateway": (
        "GetApiKeys", "GetAuthorizers", "GetBasePathMappings", "GetDomainNames", "GetResources",
        "GetRestApis", "GetStages", "GetUsagePlans"
    ),
    "apigatewayv2": (
        "GetApiMappings", "GetApis", "GetAuthorizers", "GetDomainNames", "GetIntegrations", "GetRoutes",
        "GetStages"
    ),
    "application-autoscaling": ("DescribeScalableTargets", "DescribeScalingPolicies", "DescribeScheduledActions"),
    "autoscaling": (
        "DescribeAutoScalingGroups", "DescribeLaunchConfigurations", "DescribePolicies",
        "DescribeScheduledActions"
    ),
    "backup": (
        "GetBackupPlan", "GetBackupSelection", "ListBackupPlans", "ListBackupSelections",
        "ListBackupVaults", "ListProtectedResources"
    ),
    "budgets": ("DescribeBudgets", "DescribeNotificationsForBudget"),
    "ce": ("GetAnomalyMonitors", "GetAnomalySubscriptions", "GetCostAndUsage", "ListCostAllocationTags"),
    "cloudformation": ("DescribeStacks", "ListStackResources"),
    "cloudfront": ("GetDistributionConfig", "ListDistributions"),
    "cloudtrail": ("DescribeTrails", "GetEventSelectors", "GetTrailStatus"),
    "cloudwatch": ("DescribeAlarms", "GetMetricData", "ListDashboards", "ListMetrics"),
    "codebuild": ("BatchGetBuilds", "BatchGetProjects", "ListBuildsForProject", "ListProjects"),
    "codecommit": ("BatchGetRepositories", "ListRepositories"),
    "codedeploy": (
        "BatchGetApplications", "BatchGetDeploymentGroups", "GetDeploymentConfig", "GetDeploymentGroup",
        "ListApplications", "ListDeploymentConfigs", "ListDeploymentGroups"
    ),
    "codepipeline": ("GetPipeline", "GetPipelineState", "ListPipelineExecutions", "ListPipelines"),
    "codestar-connections": ("ListConnections",),
    "codestar-notifications": ("DescribeNotificationRule", "ListNotificationRules"),
    "cognito-identity": ("DescribeIdentityPool", "GetIdentityPoolRoles", "ListIdentityPools"),
    "cognito-idp": ("DescribeUserPool", "ListUserPools"),
    "config": (
        "DescribeComplianceByConfigRule", "DescribeConfigRules", "DescribeConfigurationRecorderStatus",
        "DescribeConfigurationRecorders"
    ),
    "dax": ("DescribeClusters",),
    "directconnect": ("DescribeVirtualInterfaces",),
    "dynamodb": ("DescribeContinuousBackups", "DescribeTable", "ListTables", "ListTagsOfResource"),
    "ec2": (
        "DescribeAddresses", "DescribeCustomerGateways", "DescribeEgressOnlyInternetGateways",
        "DescribeFlowLogs", "DescribeHosts", "DescribeImages", "DescribeInstances",
        "DescribeInternetGateways", "DescribeKeyPairs", "DescribeLaunchTemplateVersions",
        "DescribeLaunchTemplates", "DescribeManagedPrefixLists", "DescribeNatGateways",
        "DescribeNetworkAcls", "DescribeNetworkInterfaces", "DescribePlacementGroups", "DescribeRegions",
        "DescribeRouteTables", "DescribeSecurityGroups", "DescribeSnapshotAttribute", "DescribeSnapshots",
        "DescribeSubnets", "DescribeTransitGatewayAttachments", "DescribeTransitGatewayRouteTables",
        "DescribeTransitGatewayVpcAttachments", "DescribeTransitGateways", "DescribeVolumes",
        "DescribeVpcEndpoints", "DescribeVpcPeeringConnections", "DescribeVpcs", "DescribeVpnConnections",
        "DescribeVpnGateways", "GetEbsDefaultKmsKeyId", "GetEbsEncryptionByDefault",
        "GetManagedPrefixListEntries", "GetTransitGatewayRouteTableAssociations",
        "SearchTransitGatewayRoutes"
    ),
    "ecr": ("DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy"),
    "ecs": (
        "DescribeCapacityProviders", "DescribeClusters", "DescribeServices", "DescribeTaskDefinition",
        "ListClusters", "ListServices", "ListTaskDefinitionFamilies"
    ),
    "efs": (
        "DescribeBackupPolicy", "DescribeFileSystems", "DescribeLifecycleConfiguration",
        "DescribeMountTargetSecurityGroups", "DescribeMountTargets"
    ),
    "eks": (
        "DescribeAccessEntry", "DescribeAddon", "DescribeCluster", "DescribeFargateProfile",
        "DescribeNodegroup", "ListAccessEntries", "ListAddons", "ListAssociatedAccessPolicies",
        "ListClusters", "ListFargateProfiles", "ListNodegroups"
    ),
    "elasticache": (
        "DescribeCacheClusters", "DescribeCacheSubnetGroups", "DescribeReplicationGroups",
        "DescribeServerlessCaches"
    ),
    "elb": ("DescribeInstanceHealth", "DescribeLoadBalancerAttributes", "DescribeLoadBalancers", "DescribeTags"),
    "elbv2": (
        "DescribeListenerCertificates", "DescribeListeners", "DescribeLoadBalancerAttributes",
        "DescribeLoadBalancers", "DescribeRules", "DescribeTags", "DescribeTargetGroups",
        "DescribeTargetHealth"
    ),
    "events": ("ListEventBuses", "ListRules", "ListTargetsByRule"),
    "firehose": ("DescribeDeliveryStream", "ListDeliveryStreams", "ListTagsForDeliveryStream"),
    "fsx": ("DescribeFileSystems",),
    "guardduty": ("GetDetector", "ListDetectors"),
    "iam": (
        "GenerateCredentialReport", "GetAccountAuthorizationDetails", "GetAccountPasswordPolicy",
        "GetCredentialReport", "ListAccountAliases"
    ),
    "kafka": ("ListClustersV2",),
    "kinesis": ("DescribeStreamSummary", "ListStreamConsumers", "ListStreams", "ListTagsForStream"),
    "kms": ("DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "ListAliases", "ListKeys"),
    "lambda": (
        "GetFunctionConcurrency", "GetFunctionUrlConfig", "GetPolicy", "ListEventSourceMappings",
        "ListFunctionEventInvokeConfigs", "ListFunctions", "ListLayerVersions", "ListLayers", "ListTags"
    ),
    "logs": ("DescribeLogGroups", "DescribeMetricFilters"),
    "memorydb": ("DescribeClusters", "DescribeSubnetGroups"),
    "opensearch": ("DescribeDomains", "ListDomainNames", "ListTags"),
    "organizations": (
        "DescribeOrganization", "ListAccounts", "ListAccountsForParent", "ListDelegatedAdministrators",
        "ListDelegatedServicesForAccount", "ListOrganizationalUnitsForParent", "ListPolicies", "ListRoots",
        "ListTargetsForPolicy"
    ),
    "pricing": ("GetProducts",),
    "rds": (
        "DescribeDBClusterParameterGroups", "DescribeDBClusterSnapshotAttributes",
        "DescribeDBClusterSnapshots", "DescribeDBClusters", "DescribeDBInstances",
        "DescribeDBParameterGroups", "DescribeDBProxies", "DescribeDBProxyTargets",
        "DescribeDBSnapshotAttributes", "DescribeDBSnapshots", "DescribeDBSubnetGroups",
        "DescribeGlobalClusters"
    ),
    "redshift": ("DescribeClusterSubnetGroups", "DescribeClusters"),
    "redshift-serverless": ("ListNamespaces", "ListWorkgroups"),
    "route53": ("GetHostedZone", "ListHealthChecks", "ListHostedZones", "ListResourceRecordSets"),
    "s3": (
        "GetBucketAcl", "GetBucketEncryption", "GetBucketLifecycleConfiguration", "GetBucketLocation",
        "GetBucketLogging", "GetBucketNotificationConfiguration", "GetBucketOwnershipControls",
        "GetBucketPolicy", "GetBucketReplication", "GetBucketTagging", "GetBucketVersioning",
        "GetBucketWebsite", "GetObjectLockConfiguration", "GetPublicAccessBlock",
        "ListBucketInventoryConfigurations", "ListBuckets"
    ),
    "s3control": ("GetPublicAccessBlock",),
    "secretsmanager": ("ListSecrets",),
    "securityhub": ("DescribeHub", "GetEnabledStandards"),
    "sns": ("GetTopicAttributes", "ListSubscriptions", "ListTopics"),
    "sqs": ("GetQueueAttributes", "ListQueueTags", "ListQueues"),
    "ssm": (
        "DescribeInstanceInformation", "DescribeInstancePatchStates", "DescribeMaintenanceWindows",
        "DescribeParameters", "DescribePatchBaselines"
    ),
    "stepfunctions": ("DescribeStateMachine", "ListStateMachines"),
    "sts": ("GetCallerIdentity",),
    "wafv2": ("GetWebACL", "ListResourcesForWebACL", "ListWebACLs"),
}

#: calls the AWS SDK makes on its own while resolving credentials or a bucket's region,
#: exactly as the AWS CLI does; allowed by (service, operation) pair, never by name alone.
SDK_CALLS: dict[str, str] = {
    "sts:AssumeRole": "SDK credential resolution for role_arn profiles (role chaining); `awsscan org` "
                      "assuming --role-name into member accounts (scanner/org/assume.py)",
    "sts:AssumeRoleWithWebIdentity": "SDK credential resolution for web-identity profiles and "
                                     "AWS_WEB_IDENTITY_TOKEN_FILE",
    "sts:AssumeRoleWithSAML": "SDK credential resolution for SAML profiles",
    "sso:GetRoleCredentials": "SDK credential resolution for SSO profiles (role credentials from the SSO token)",
    "sso-oidc:CreateToken": "SDK refresh of an sso-session token near expiry (grant type refresh_token)",
    "signin:CreateOAuth2Token": "SDK refresh of an `aws login` session's token",
    "s3:HeadBucket": "SDK S3 region redirect: finds the region of a bucket in another region",
}

#: the allowed calls whose names do not start with Describe, List or Get, each with why it
#: changes nothing in the account (README "Operations other than Describe/List/Get").
ALLOWED_OPERATIONS: dict[str, str] = {
    "iam:GenerateCredentialReport": "builds the credential report (root/user MFA, key ages); no account change",
    "codebuild:BatchGetProjects": "reads up to 100 build projects per call",
    "codebuild:BatchGetBuilds": "reads each project's latest build (status, time)",
    "codedeploy:BatchGetApplications": "reads applications in batches",
    "codedeploy:BatchGetDeploymentGroups": "reads deployment groups in batches",
    "codecommit:BatchGetRepositories": "reads repository metadata in batches",
    "ec2:SearchTransitGatewayRoutes": "lists a transit gateway route table's routes (the only API that does)",
    **{op: why for op, why in SDK_CALLS.items() if not op.split(":", 1)[1].startswith(("Describe", "List", "Get"))},
}

#: never allowed, whatever the lists above say: reads that return secret material or hand out
#: credentials. Every entry is a real botocore operation (checked by the tests).
DENIED_READS = frozenset({
    "secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory",
    "ec2:GetPasswordData", "ec2:GetConsoleOutput", "ec2:GetConsoleScreenshot", "ec2:GetLaunchTemplateData",
    "s3:GetObject", "ecr:GetAuthorizationToken", "ecr-public:GetAuthorizationToken",
    "codeartifact:GetAuthorizationToken", "sts:GetSessionToken", "sts:GetFederationToken",
    "iam:GetLoginProfile", "logs:GetQueryResults", "logs:GetLogEvents", "athena:GetQueryResults",
    "kinesis:GetRecords", "kinesis:GetShardIterator", "dynamodbstreams:GetRecords",
    "dynamodbstreams:GetShardIterator", "dynamodb:GetItem", "dynamodb:BatchGetItem",
    "redshift:GetClusterCredentials", "redshift:GetClusterCredentialsWithIAM",
    "cognito-identity:GetId", "cognito-identity:GetCredentialsForIdentity", "cognito-identity:GetOpenIdToken",
    # answers the app client's ClientSecret: the scanner never describes user pool clients
    "cognito-idp:DescribeUserPoolClient",
    "lightsail:GetInstanceAccessDetails", "lightsail:GetRelationalDatabaseMasterUserPassword",
    "kms:GetParametersForImport",
})

SCANNER_READS = frozenset(f"{svc}:{op}" for svc, ops in SCANNER_READS_BY_SERVICE.items() for op in ops)
#: the complete allow-list: what the guard lets through.
ALLOWED_CALLS = (SCANNER_READS | frozenset(SDK_CALLS)) - DENIED_READS


class WriteRefused(RuntimeError):
    """A call that is not on the allow-list: refused before it is signed or sent."""


def is_allowed(service: str, operation: str) -> bool:
    """Whether the guard lets ``service:operation`` through (botocore names: "s3control", "GetPublicAccessBlock")."""
    return f"{service}:{operation}" in ALLOWED_CALLS


def is_read(operation: str) -> bool:
    """Whether some service's call of that name is allowed (names only; the guard checks the pair)."""
    return any(call.split(":", 1)[1] == operation for call in ALLOWED_CALLS)


def install_guard(events: Any, recorder: Callable[[str, str], None] | None = None) -> None:
    """Register the guard on a botocore event emitter (a session's or a client's).

    ``recorder(service, operation)`` sees every operation allowed through; tests
    use it to prove a whole scan only calls allow-listed operations.
    """

    def _guard(model: Any = None, **_: Any) -> None:
        op = model.name
        service = model.service_model.service_name
        if not is_allowed(service, op):
            raise WriteRefused(f"awsscan is read-only: refused {service}:{op} (not on the allow-list of reads)")
        if recorder is not None:
            recorder(service, op)

    events.register("before-call", _guard, unique_id="awsscan-read-only-guard")
