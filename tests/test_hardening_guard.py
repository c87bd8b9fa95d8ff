"""The guard's allow-list is exactly what the scanner calls, every entry is a real operation,
the SDK's own credential calls pass by (service, operation) pair, and side-effect or secret
`Get*` calls are refused."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name
from moto import mock_aws

from scanner.guard import (
    ALLOWED_CALLS,
    ALLOWED_OPERATIONS,
    DENIED_READS,
    SCANNER_READS,
    SDK_CALLS,
    WriteRefused,
    install_guard,
    is_allowed,
)

ROOT = Path(__file__).resolve().parent.parent
SCANNER = ROOT / "scanner"
BOTOCORE = botocore.session.get_session()
SERVICES = frozenset(BOTOCORE.get_available_services())
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
READ_PREFIXES = ("Describe", "List", "Get")


def _operations(service: str) -> dict[str, str]:
    """botocore's snake_case method name -> PascalCase operation name, for one service."""
    return {xform_name(op): op for op in BOTOCORE.get_service_model(service).operation_names}


def _calls_in_code() -> tuple[set[str], dict[str, set[str]]]:
    """Every operation the scanner's code names, found statically.

    Returns the ``service:Operation`` pairs written next to each other in one call
    (``ctx.call("ec2", "describe_vpcs")``, ``ctx.paginate``, ``ctx.optional``,
    ``read_optional(ctx, out, "s3", "get_bucket_location")``, any helper taking
    service then operation), and, for every other operation-shaped literal or client
    method call (``client(...).describe_regions()``, an op in a table of per-bucket
    reads passed on through a variable, a literal paired with one service and passed
    to another through a helper), the services of its module that have it.
    """
    pairs: set[str] = set()
    loose: dict[str, set[str]] = {}
    for path in sorted(SCANNER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_services = {n.value for n in ast.walk(tree)
                           if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in SERVICES}
        paired: set[str] = set()
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                        for a in node.args]
                for svc, op in zip(args, args[1:], strict=False):
                    if svc in SERVICES and op and SNAKE.match(op) and op in _operations(svc):
                        pairs.add(f"{svc}:{_operations(svc)[op]}")
                        paired.add(op)
                if isinstance(node.func, ast.Attribute) and SNAKE.match(node.func.attr):
                    names.add(node.func.attr)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SNAKE.match(node.value):
                names.add(node.value)
        for name in names | paired:
            having = {f"{svc}:{_operations(svc)[name]}" for svc in module_services if name in _operations(svc)}
            if having:
                loose.setdefault(f"{path.relative_to(ROOT)}: {name}", set()).update(having)
    return pairs, loose


def test_every_operation_the_code_names_is_on_the_allow_list():
    pairs, loose = _calls_in_code()
    assert len(pairs) > 150, "the static search found the collectors' calls"
    assert sorted(pairs - ALLOWED_CALLS) == [], "called by the code but refused by the guard"
    # an operation passed on through a variable: allowed for one of its module's services
    assert sorted(where for where, options in loose.items() if not options & ALLOWED_CALLS) == []
    # and the session's own calls and the live price lookup, made on clients directly
    assert {"sts:GetCallerIdentity", "ec2:DescribeRegions", "iam:ListAccountAliases",
            "pricing:GetProducts"} <= ALLOWED_CALLS


def test_the_allow_list_holds_nothing_the_code_does_not_name():
    """Exactly what the collectors call: an entry no code names is a stale widening of the guard."""
    pairs, loose = _calls_in_code()
    named = pairs | set().union(*loose.values())
    assert sorted(SCANNER_READS - named) == []


def test_every_listed_operation_exists_in_botocore():
    for call in sorted(ALLOWED_CALLS | DENIED_READS | set(ALLOWED_OPERATIONS)):
        service, op = call.split(":", 1)
        assert op in BOTOCORE.get_service_model(service).operation_names, call


def test_non_read_names_are_each_explained_and_secret_reads_are_never_allowed():
    odd = {c for c in ALLOWED_CALLS if not c.split(":", 1)[1].startswith(READ_PREFIXES)}
    assert odd == set(ALLOWED_OPERATIONS), "every non-Describe/List/Get call is documented with a reason"
    assert all(ALLOWED_OPERATIONS.values())
    assert not DENIED_READS & ALLOWED_CALLS


@pytest.mark.parametrize("call", [
    "redshift:GetClusterCredentials", "cognito-identity:GetId", "ssm:GetParameterHistory",
    "lightsail:GetInstanceAccessDetails", "kms:GetParametersForImport", "secretsmanager:GetSecretValue",
    "ssm:GetParameter", "ec2:GetPasswordData", "s3:GetObject", "dynamodb:BatchGetItem",
    "ecr:GetAuthorizationToken", "sts:GetSessionToken", "ec2:CreateVpc", "s3:PutBucketPolicy",
    # allowed for one service only: the pair decides, not the name
    "s3control:GetBucketPolicy", "sso-oidc:RegisterClient", "ecr:DescribeImages", "ssm:GetDocument",
])
def test_side_effect_and_secret_calls_are_refused(call):
    service, op = call.split(":", 1)
    assert op in BOTOCORE.get_service_model(service).operation_names, call
    assert not is_allowed(service, op)


def test_sdk_credential_calls_pass_by_pair_only():
    for call in ("sso-oidc:CreateToken", "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity",
                 "sts:AssumeRoleWithSAML", "sso:GetRoleCredentials"):
        assert call in SDK_CALLS and is_allowed(*call.split(":", 1)), call
    # the same names for another service are not allowed
    assert not is_allowed("codecatalyst", "CreateAccessToken")
    assert not is_allowed("sso-admin", "CreateAccountAssignment")
    assert not is_allowed("ec2", "CreateToken")


def test_refused_calls_never_leave_the_process():
    """Through a real client: the guard raises before signing, for a side-effect Get."""
    with mock_aws():
        import boto3

        session = boto3.Session(region_name="us-east-1")
        install_guard(session.events)
        redshift = session.client("redshift")
        with pytest.raises(WriteRefused, match="redshift:GetClusterCredentials"):
            redshift.get_cluster_credentials(DbUser="u", ClusterIdentifier="c")
        with pytest.raises(WriteRefused, match="kms:GetParametersForImport"):
            session.client("kms").get_parameters_for_import(KeyId="k", WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                             WrappingKeySpec="RSA_2048")


def _sso_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An sso-session profile whose cached token expires in 5 minutes, so botocore refreshes it."""
    import botocore.credentials
    import botocore.tokens

    cache = tmp_path / "sso-cache"
    cache.mkdir()
    cfg = tmp_path / "config"
    cfg.write_text("[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n"
                   "sso_role_name = ReadOnly\nregion = us-east-1\n\n"
                   "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
                   "sso_registration_scopes = sso:account:access\n")
    now = dt.datetime.now(dt.UTC)
    token = {"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1", "accessToken": "old-token",
             "expiresAt": (now + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "clientId": "cid", "clientSecret": "csecret", "refreshToken": "rtoken",
             "registrationExpiresAt": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    import hashlib

    (cache / (hashlib.sha1(b"corp").hexdigest() + ".json")).write_text(json.dumps(token))
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    return cache


def _fake_identity_center(seen: list[str]):
    """Answers sso-oidc CreateToken and sso GetRoleCredentials (moto has neither); the rest goes to moto."""
    from botocore.awsrequest import AWSResponse

    class Raw:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_):
            yield self.body

    def before_send(request=None, **_):
        url = request.url
        if "oidc." in url:
            seen.append("sso-oidc:CreateToken")
            body = {"accessToken": "new-token", "tokenType": "Bearer", "expiresIn": 3600, "refreshToken": "r2"}
        elif "portal.sso." in url:
            seen.append("sso:GetRoleCredentials")
            exp = int((dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).timestamp() * 1000)
            body = {"roleCredentials": {"accessKeyId": "AKIAFAKE", "secretAccessKey": "s", "sessionToken": "t",
                                        "expiration": exp}}
        else:
            return None
        return AWSResponse(url, 200, {"Content-Type": "application/json"}, Raw(json.dumps(body).encode()))

    return before_send


def test_an_sso_session_profile_with_a_token_near_expiry_refreshes_and_scans(tmp_path, monkeypatch):
    """Before: the guard refused sso-oidc:CreateToken and the user saw a traceback."""
    from typer.testing import CliRunner

    import scanner.session as session_mod
    from scanner.cli import app

    cache = _sso_profile(tmp_path, monkeypatch)
    seen: list[str] = []
    real = session_mod.make_session

    def with_identity_center(*args, **kwargs):
        session = real(*args, **kwargs)
        session.events.register_first("before-send", _fake_identity_center(seen))
        return session

    monkeypatch.setattr(session_mod, "make_session", with_identity_center)
    with mock_aws():
        result = CliRunner().invoke(app, ["--profile", "sso", "--region", "us-east-1", "--out",
                                          str(tmp_path / "report"), "--workers", "4"])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stderr
    assert seen[:2] == ["sso-oidc:CreateToken", "sso:GetRoleCredentials"]
    assert "new-token" in next(cache.glob("*.json")).read_text(), "the refreshed token was cached"
    assert (tmp_path / "report" / "design.md").exists()
