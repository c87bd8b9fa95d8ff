"""ELB and ELBv2 collectors fan their per-resource reads out in their lane and give the records
of a sequential run (scanner/collectors/_fanout.py)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from moto import mock_aws

from scanner.context import ScanContext
from scanner.inventory import Records
from scanner.lanes import Lanes, Limit
from tests.support.denials import deny

ACCOUNT = "123456789012"


def dump(out: Records) -> str:
    """Nodes, edges and gaps in their order, as text: equal only when the records are."""
    return json.dumps([[n.__dict__ for n in out.nodes], [e.__dict__ for e in out.edges],
                       [g.__dict__ for g in out.gaps]], sort_keys=True, default=str)


def run_at_width(collect: Callable[[ScanContext], Records], service: str, width: int,
                 denied: tuple[str, ...] = (), region: str = "us-east-1") -> tuple[str, int, int]:
    """One collector run inside the current moto backend with every lane ``width`` wide:
    (its records as text, the most requests on the wire at once, its call count)."""
    active, peak = [0], [0]
    lock = threading.Lock()
    overlapped = threading.Event()

    def in_flight(**_: Any) -> None:  # before moto answers: counts the requests on the wire
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            if active[0] >= 2:
                overlapped.set()
        # until two requests have been seen on the wire together, each one waits there a while
        # for another to join it (a fan-out does at once; a sequential run never does), so the
        # overlap does not depend on how busy the machine is
        if width > 1 and not overlapped.is_set():
            overlapped.wait(0.25)
        else:
            time.sleep(0.003)
        with lock:
            active[0] -= 1

    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=region)
    session.events.register_first("before-send", in_flight)
    deny(*denied)(session)
    lanes = Lanes(session, concurrency_cap=width,
                  limits={service: Limit(rate=1000, burst=1000, concurrency=8)})
    ctx = ScanContext(session, region, ACCOUNT, service=service, home_region=region, regions=(region,),
                      lanes=lanes)
    out = collect(ctx)
    return dump(out), peak[0], ctx.calls


def assert_same_at_any_width(collect: Callable[[ScanContext], Records], service: str,
                             denied: tuple[str, ...] = ()) -> str:
    """Width 1 and width 8 give the same records (gaps included) with the same calls; the
    wide run really had several requests in flight (unless reads were ``denied``). Returns the records as text."""
    narrow, narrow_peak, narrow_calls = run_at_width(collect, service, 1, denied)
    wide, wide_peak, wide_calls = run_at_width(collect, service, 8, denied)
    assert wide == narrow and wide_calls == narrow_calls
    assert narrow_peak == 1
    # a denial is refused before the wire: only the reads that were sent can overlap
    assert denied or wide_peak >= 2, "the per-resource reads waited together"
    return wide


def _network() -> tuple[str, list[str], list[str]]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    instances = [i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12345678", MinCount=3, MaxCount=3,
                                                            InstanceType="t3.micro", SubnetId=subnets[0])
                 ["Instances"]]
    return vpc, subnets, instances


def _build_elbv2() -> None:
    vpc, subnets, instances = _network()
    cert = boto3.client("acm", region_name="us-east-1").request_certificate(
        DomainName="app.example.com")["CertificateArn"]
    elb = boto3.client("elbv2", region_name="us-east-1")
    for n in range(3):
        tg = elb.create_target_group(Name=f"tg-{n}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance",
                                     Tags=[{"Key": "team", "Value": f"t{n}"}])["TargetGroups"][0]["TargetGroupArn"]
        elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in instances[:n + 1]])
        lb = elb.create_load_balancer(Name=f"alb-{n}", Subnets=subnets, Type="application",
                                      Tags=[{"Key": "Name", "Value": f"alb-{n}"}])["LoadBalancers"][0]
        arn = lb["LoadBalancerArn"]
        elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
            {"Key": "deletion_protection.enabled", "Value": "true" if n % 2 else "false"}])
        https = elb.create_listener(LoadBalancerArn=arn, Protocol="HTTPS", Port=443,
                                    Certificates=[{"CertificateArn": cert}],
                                    DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        elb.create_rule(ListenerArn=https["Listeners"][0]["ListenerArn"], Priority=10 + n,
                        Conditions=[{"Field": "path-pattern", "Values": [f"/api{n}/*"]}],
                        Actions=[{"Type": "forward", "TargetGroupArn": tg}])
        elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    nlb = elb.create_load_balancer(Name="nlb", Subnets=subnets, Type="network")["LoadBalancers"][0]
    elb.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=5432, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": tg}])


def test_elbv2_load_balancers_give_the_same_records_at_any_width() -> None:
    from scanner.collectors.loadbalancing import collect_load_balancers

    with mock_aws():
        _build_elbv2()
        records = assert_same_at_any_width(collect_load_balancers, "elbv2")
        denied = assert_same_at_any_width(collect_load_balancers, "elbv2",
                                          ("elbv2:DescribeRules", "elbv2:DescribeLoadBalancerAttributes"))
    assert records.count('"elbv2:load-balancer"') == 4 and records.count('"elbv2:listener"') == 7
    assert "/api2/*" in records, "the rules were read"
    assert denied.count("elasticloadbalancing:DescribeRules") == 6, "one gap per ALB listener"


def test_elbv2_target_groups_give_the_same_records_at_any_width() -> None:
    from scanner.collectors.loadbalancing import collect_target_groups

    with mock_aws():
        _build_elbv2()
        records = assert_same_at_any_width(collect_target_groups, "elbv2")
        denied = assert_same_at_any_width(collect_target_groups, "elbv2", ("elbv2:DescribeTargetHealth",))
    assert records.count('"elbv2:target-group"') == 3 and '"t2"' in records
    assert denied.count("elasticloadbalancing:DescribeTargetHealth") == 3


def test_classic_load_balancers_give_the_same_records_at_any_width() -> None:
    from scanner.collectors.loadbalancing import collect_classic

    with mock_aws():
        _, subnets, instances = _network()
        elb = boto3.client("elb", region_name="us-east-1")
        for n in range(4):
            elb.create_load_balancer(LoadBalancerName=f"classic-{n}", Subnets=subnets[:1],
                                     Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80,
                                                 "InstancePort": 8080}],
                                     Tags=[{"Key": "n", "Value": str(n)}])
            if n % 2:
                elb.register_instances_with_load_balancer(LoadBalancerName=f"classic-{n}",
                                                          Instances=[{"InstanceId": i} for i in instances])
        records = assert_same_at_any_width(collect_classic, "elb")
        denied = assert_same_at_any_width(collect_classic, "elb", ("elb:DescribeInstanceHealth",))
    assert records.count('"elb:load-balancer"') == 4
    assert denied.count("elasticloadbalancing:DescribeInstanceHealth") == 2, "only the LBs with instances"
