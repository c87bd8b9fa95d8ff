"""HTTP/WebSocket API authorizers that no route uses: read for every API and listed on the API node
(``unused_authorizers``), in moto and from API-shaped dicts."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from scanner.collectors import apigateway as api_coll
from scanner.context import ScanContext
from tests.test_recorded_shapes import ACCOUNT, REGION, context

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"


def _api(records, name: str) -> dict:
    return next(n.props for n in records.nodes if n.kind == "apigateway:http-api" and n.name == name)


def _ctx() -> ScanContext:
    return ScanContext(boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"),
                       REGION, ACCOUNT)


def test_authorizers_no_route_names_are_listed_as_unused() -> None:
    """Stubber: moto does not implement apigatewayv2 GetAuthorizers (see the next test)."""
    ctx = _ctx()
    v2 = ctx.client("apigatewayv2")
    jwt = {"AuthorizerType": "JWT", "IdentitySource": ["$request.header.Authorization"],
           "JwtConfiguration": {"Audience": ["orders"], "Issuer": ISSUER}}
    with Stubber(v2) as stub:
        stub.add_response("get_apis", {"Items": [
            {"ApiId": "a1", "Name": "orders", "ProtocolType": "HTTP", "RouteSelectionExpression": "x"},
            {"ApiId": "a2", "Name": "public", "ProtocolType": "HTTP", "RouteSelectionExpression": "x"}]})
        for api, routes, auths in (
                ("a1", [{"RouteId": "r1", "RouteKey": "GET /orders", "AuthorizationType": "JWT", "AuthorizerId": "au1"}],
                 [{"AuthorizerId": "au1", "Name": "corp-idp", **jwt}, {"AuthorizerId": "au2", "Name": "old-idp", **jwt}]),
                # routes that name no authorizer at all: the API's authorizers are read and listed all the same
                ("a2", [{"RouteId": "r2", "RouteKey": "GET /status", "AuthorizationType": "NONE"}],
                 [{"AuthorizerId": "au3", "Name": "never-wired", **jwt}])):
            stub.add_response("get_stages", {"Items": []}, {"ApiId": api})
            stub.add_response("get_integrations", {"Items": []}, {"ApiId": api})
            stub.add_response("get_routes", {"Items": routes}, {"ApiId": api})
            stub.add_response("get_authorizers", {"Items": auths}, {"ApiId": api})
        out = api_coll.collect_http_apis(ctx)
        stub.assert_no_pending_responses()
    assert _api(out, "orders")["unused_authorizers"] == [{"id": "au2", "name": "old-idp", "type": "JWT"}]
    assert _api(out, "public")["unused_authorizers"] == [{"id": "au3", "name": "never-wired", "type": "JWT"}]
    names = {n.name for n in out.nodes if n.kind == "apigateway:authorizer"}
    assert names == {"corp-idp", "old-idp", "never-wired"}, "every authorizer is a node, used or not"


def test_moto_without_get_authorizers_leaves_unused_unknown_with_a_gap() -> None:
    with mock_aws():
        v2 = boto3.client("apigatewayv2", region_name=REGION)
        api = v2.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
        v2.create_route(ApiId=api, RouteKey="GET /orders", AuthorizationType="NONE")
        out = api_coll.collect_http_apis(ScanContext(boto3.Session(region_name=REGION), REGION, ACCOUNT))
    assert _api(out, "orders")["unused_authorizers"] is None, "not read: unknown, never 'none'"
    assert [(g.action, g.resource) for g in out.gaps] == [
        ("apigateway:GetAuthorizers", f"arn:aws:apigateway:{REGION}::/apis/{api}")]


def test_unused_authorizers_unknown_when_routes_or_authorizers_unread() -> None:
    base = {"ApiId": "a1", "Name": "api", "ProtocolType": "HTTP", "_stages": [], "_integrations": []}
    routes = [{"RouteKey": "GET /", "AuthorizationType": "CUSTOM", "AuthorizerId": "au1"}]
    auths = [{"AuthorizerId": "au1", "Name": "lambda-auth", "AuthorizerType": "REQUEST"}]
    cases = {"both": (routes, auths), "no routes read": (None, auths), "no authorizers read": (routes, None),
             "none configured": (routes, [])}
    for label, (r, a) in cases.items():
        out = api_coll.transform_http_apis(context(), [{**base, "Name": label, "_routes": r, "_authorizers": a}])
        got = _api(out, label)["unused_authorizers"]
        assert got == {"both": [], "no routes read": None, "no authorizers read": None,
                       "none configured": []}[label], label
