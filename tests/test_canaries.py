"""Secrets never leave: canary values planted in every secret-bearing place of the sample account
(Lambda and ECS environment values, EC2/launch-template user data, CodeBuild plaintext variables,
CloudFormation NoEcho parameters, Secrets Manager and SSM SecureString values) appear in no output file.
"""

from __future__ import annotations

import base64
import json

import boto3
import pytest

from tests.conftest import scan_account

CANARY = "CANARY-"


def planted_canaries() -> dict[str, str]:
    """Read back, with unguarded clients inside the mock, where the fixture put a canary."""
    found: dict[str, str] = {}
    r = "us-east-1"

    def note(place: str, text: object) -> None:
        s = json.dumps(text, default=str) if not isinstance(text, str) else text
        if CANARY in s:
            found[place] = s

    lam = boto3.client("lambda", region_name=r)
    for f in lam.list_functions()["Functions"]:
        note(f"lambda env {f['FunctionName']}", f.get("Environment", {}).get("Variables", {}))
    ecs = boto3.client("ecs", region_name=r)
    for arn in ecs.list_task_definitions()["taskDefinitionArns"]:
        td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        note(f"ecs env {arn}", [c.get("environment") for c in td["containerDefinitions"]])
    ec2 = boto3.client("ec2", region_name=r)
    for lt in ec2.describe_launch_templates()["LaunchTemplates"]:
        for v in ec2.describe_launch_template_versions(LaunchTemplateId=lt["LaunchTemplateId"])["LaunchTemplateVersions"]:
            ud = v["LaunchTemplateData"].get("UserData")
            if ud:
                note(f"user data {lt['LaunchTemplateName']}", base64.b64decode(ud).decode(errors="replace"))
    cb = boto3.client("codebuild", region_name=r)
    names = cb.list_projects()["projects"]
    if names:
        for p in cb.batch_get_projects(names=names)["projects"]:
            note(f"codebuild env {p['name']}", p.get("environment", {}).get("environmentVariables", []))
    cfn = boto3.client("cloudformation", region_name=r)
    for s in cfn.describe_stacks()["Stacks"]:
        tpl = json.dumps(cfn.get_template(StackName=s["StackName"])["TemplateBody"], default=str)
        if "NoEcho" in tpl:  # moto hands NoEcho values back in clear; real AWS masks them as ****
            note(f"cfn noecho {s['StackName']}", s.get("Parameters", []))
    sm = boto3.client("secretsmanager", region_name=r)
    for s in sm.list_secrets()["SecretList"]:
        note(f"secret {s['Name']}", sm.get_secret_value(SecretId=s["ARN"]).get("SecretString", ""))
    ssm = boto3.client("ssm", region_name=r)
    for p in ssm.describe_parameters()["Parameters"]:
        note(f"ssm {p['Name']}", ssm.get_parameter(Name=p["Name"], WithDecryption=True)["Parameter"]["Value"])
    return found


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    from fixtures.sample import build_sample

    planted: dict[str, str] = {}

    def build():
        ids = build_sample()
        planted.update(planted_canaries())
        return ids

    result = scan_account(build, tmp_path_factory.mktemp("canary"))
    return result, planted


def test_the_fixture_really_planted_canaries_everywhere(scanned):
    _, planted = scanned
    kinds = {place.split(" ")[0] for place in planted}
    assert {"lambda", "ecs", "codebuild", "secret", "ssm", "user", "cfn"} <= kinds, sorted(planted)


def test_no_canary_in_any_output_file(scanned):
    result, _ = scanned
    files = [p for p in result.out.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"design.md", "inventory.json", "findings.json"}
    for path in files:
        data = path.read_bytes()
        assert CANARY.encode() not in data, f"a secret value reached {path}"


def test_secret_names_are_kept_as_facts(scanned):
    result, _ = scanned
    text = (result.out / "inventory.json").read_text()
    assert "env_names" in text
