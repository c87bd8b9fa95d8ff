"""Recorded shapes for scanner/collectors/resilience.py (AWS Backup, Route 53, CloudFront)."""

from __future__ import annotations

from scanner.collectors import resilience as res
from tests.test_recorded_shapes import Case, items, one

F = "resilience"


def _protected(ctx, r: dict):
    vaults = {v.get("BackupVaultArn"): v.get("BackupVaultArn") for v in items(r, "ListBackupVaults", "BackupVaultList")}
    return res.transform_protected(ctx, vaults, items(r, "ListProtectedResources", "Results"))


def _plan(ctx, r: dict):
    sel = one(r, "GetBackupSelection").get("BackupSelection")
    return res.transform_plan(ctx, one(r, "GetBackupPlan"), [sel] if sel is not None else [])


def _zones(ctx, r: dict):
    out = ctx.records(region="global")
    for z in items(r, "ListHostedZones", "HostedZones"):
        out.extend(res.transform_zone(ctx, z, one(r, "GetHostedZone")))
    return out


def _distributions(ctx, r: dict):
    dists = (one(r, "ListDistributions").get("DistributionList") or {}).get("Items") or []
    log = (one(r, "GetDistributionConfig").get("DistributionConfig") or {}).get("Logging") or {}
    return res.transform_distributions(ctx, dists, {d.get("Id"): log for d in dists})


CASES = [
    Case(F, res.transform_vaults, ("backup:ListBackupVaults",),
         lambda ctx, r: res.transform_vaults(ctx, items(r, "ListBackupVaults", "BackupVaultList")),
         names=("ListBackupVaults:BackupVaultList[].BackupVaultName",)),
    Case(F, res.transform_protected, ("backup:ListProtectedResources", "backup:ListBackupVaults"), _protected,
         edges=("ListProtectedResources:Results[].ResourceArn",), ids=("LastBackupVaultArn",)),
    Case(F, res.transform_plan, ("backup:GetBackupPlan", "backup:GetBackupSelection"), _plan,
         names=("GetBackupPlan:BackupPlan.BackupPlanName",), ids=("BackupPlanId",),
         allow={"rules": "AWS omits EnableContinuousBackup on rules without continuous backup"}),
    Case(F, res.transform_records, ("route53:ListResourceRecordSets",),
         lambda ctx, r: res.transform_records(ctx, "Z0123456789ABCDEFGHIJ",
                                              items(r, "ListResourceRecordSets", "ResourceRecordSets")),
         names=("ListResourceRecordSets:ResourceRecordSets[?Type!='SOA'].Name",)),
    Case(F, res.transform_zone, ("route53:ListHostedZones", "route53:GetHostedZone"), _zones,
         names=("ListHostedZones:HostedZones[].Id",)),
    Case(F, res.transform_health_checks, ("route53:ListHealthChecks",),
         lambda ctx, r: res.transform_health_checks(ctx, items(r, "ListHealthChecks", "HealthChecks")),
         names=("ListHealthChecks:HealthChecks[].Id",)),
    Case(F, res.transform_distributions, ("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig"),
         _distributions, names=("ListDistributions:DistributionList.Items[].Id",),
         keep=("ListDistributions:DistributionList.Items",),
         allow={"origins": "no OriginAccessControlId / OriginAccessIdentity is no origin access control"}),
]
