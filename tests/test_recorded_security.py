"""Recorded shapes for scanner/collectors/security.py, waf.py and cloudtrail.py (KMS, Config, GuardDuty,
Security Hub, ACM, WAF, CloudTrail, ...)."""

from __future__ import annotations

from scanner.collectors import cloudtrail as ct
from scanner.collectors import security as s
from scanner.collectors import waf
from tests.test_recorded_shapes import WHEN, Case, items, one

F = "security"


def _keys(ctx, r: dict):
    rotation = one(r, "GetKeyRotationStatus").get("KeyRotationEnabled")
    meta = one(r, "DescribeKey").get("KeyMetadata") or {}
    keys = [{**k, "meta": meta if meta.get("KeyId") == k.get("KeyId") else None,
             "rotation": None if rotation is None else bool(rotation),
             "policy": one(r, "GetKeyPolicy").get("Policy")} for k in items(r, "ListKeys", "Keys")]
    return s.transform_keys(ctx, keys, items(r, "ListAliases", "Aliases"))


def _config(ctx, r: dict):
    return s.transform_config(
        ctx, items(r, "DescribeConfigurationRecorders", "ConfigurationRecorders"),
        items(r, "DescribeConfigurationRecorderStatus", "ConfigurationRecordersStatus"),
        items(r, "DescribeConfigRules", "ConfigRules"),
        items(r, "DescribeComplianceByConfigRule", "ComplianceByConfigRules"))


def _detectors(ctx, r: dict):
    return s.transform_detectors(ctx, [(d, one(r, "GetDetector")) for d in items(r, "ListDetectors", "DetectorIds")])


def _web_acls(ctx, r: dict):
    acl = one(r, "GetWebACL").get("WebACL")
    res = items(r, "ListResourcesForWebACL", "ResourceArns")
    return waf.transform_web_acls(ctx, [{"summary": w, "scope": "REGIONAL", "acl": acl, "resources": res}
                                      for w in items(r, "ListWebACLs", "WebACLs")])


def _trails(ctx, r: dict):
    return ct.transform_trails(ctx, [{**t, "status": one(r, "GetTrailStatus"), "selectors": one(r, "GetEventSelectors")}
                                    for t in items(r, "DescribeTrails", "trailList")])


def _certificates(ctx, r: dict):
    certs = [one(r, "DescribeCertificate").get("Certificate") or {}]
    certs += [{**c, "_summary_only": True} for c in items(r, "ListCertificates", "CertificateSummaryList")]
    return s.transform_certificates(ctx, certs, at=WHEN)


CASES = [
    Case(F, s.transform_keys, ("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy",
                               "kms:ListAliases"), _keys,
         names=("ListKeys:Keys[].KeyId",)),
    Case(F, s.transform_config, ("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus",
                                 "config:DescribeConfigRules", "config:DescribeComplianceByConfigRule"), _config,
         names=("DescribeConfigurationRecorders:ConfigurationRecorders[].name",
                "DescribeConfigRules:ConfigRules[].ConfigRuleName")),
    Case(F, s.transform_detectors, ("guardduty:ListDetectors", "guardduty:GetDetector"), _detectors,
         names=("ListDetectors:DetectorIds[]",)),
    Case(F, s.transform_hub, ("securityhub:DescribeHub", "securityhub:GetEnabledStandards"),
         lambda ctx, r: s.transform_hub(ctx, one(r, "DescribeHub"),
                                        items(r, "GetEnabledStandards", "StandardsSubscriptions")),
         names=("=Security Hub us-east-1",)),
    Case(F, s.transform_certificates, ("acm:DescribeCertificate", "acm:ListCertificates"), _certificates,
         names=("DescribeCertificate:Certificate.DomainName",
                "ListCertificates:CertificateSummaryList[].CertificateArn")),
    Case(F, waf.transform_web_acls, ("wafv2:ListWebACLs", "wafv2:GetWebACL", "wafv2:ListResourcesForWebACL"),
         _web_acls, names=("ListWebACLs:WebACLs[].Name",)),
    Case(F, s.transform_secrets, ("secretsmanager:ListSecrets",),
         lambda ctx, r: s.transform_secrets(ctx, items(r, "ListSecrets", "SecretList")),
         names=("ListSecrets:SecretList[].Name",), ids=("ARN",),
         allow={"deleted": "DeletedDate is only sent for a secret scheduled for deletion",
                "rotation_enabled": "RotationEnabled is null for a secret never configured for rotation"}),
    Case(F, s.transform_parameters, ("ssm:DescribeParameters",),
         lambda ctx, r: s.transform_parameters(ctx, items(r, "DescribeParameters", "Parameters")),
         names=("DescribeParameters:Parameters[].Name",)),
    Case(F, ct.transform_trails, ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
                                 "cloudtrail:GetEventSelectors"), _trails,
         names=("DescribeTrails:trailList[].Name",),
         allow={"management_events": "AWS defaults: IncludeManagementEvents true, ReadWriteType All"}),
]


#: the modules of the security family (split by what they hold; the sweep in test_recorded_all reads security.py only)
MODULES = ("scanner.collectors.security", "scanner.collectors.waf", "scanner.collectors.cloudtrail")


def test_every_transform_of_the_family_modules_has_a_case() -> None:
    from tests.test_recorded_serverless import check_coverage

    check_coverage(CASES, MODULES, F)
