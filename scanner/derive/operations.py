"""Link each CloudWatch alarm to the resource its dimensions name (`monitors` edges).

Only the merged graph knows every resource, so this runs after the merge. A
dimension that names nothing scanned (a deleted instance, another region) adds
no edge: the alarm still shows in 12.1 with its raw dimensions.
"""

from __future__ import annotations

from scanner.derive import deriver
from scanner.inventory import Edge, Inventory

#: dimension name -> (node kind, prop holding the value, or "@arn-suffix" to match the end of the id)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "InstanceId": ("ec2:instance", "instance_id"),
    "AutoScalingGroupName": ("autoscaling:group", "name"),
    "LoadBalancer": ("elbv2:load-balancer", "@arn-suffix"),
    "TargetGroup": ("elbv2:target-group", "@arn-suffix"),
    "LoadBalancerName": ("elb:load-balancer", "name"),
    "DBInstanceIdentifier": ("rds:instance", "identifier"),
    "DBClusterIdentifier": ("rds:cluster", "identifier"),
    "FunctionName": ("lambda:function", "name"),
    "TableName": ("dynamodb:table", "name"),
    "QueueName": ("sqs:queue", "name"),
    "TopicName": ("sns:topic", "name"),
    "CacheClusterId": ("elasticache:cluster", "id"),
    "ReplicationGroupId": ("elasticache:replication-group", "id"),
    "NatGatewayId": ("ec2:nat-gateway", "nat_id"),
    "VolumeId": ("ebs:volume", "volume_id"),
    "BucketName": ("s3:bucket", "name"),
    "FileSystemId": ("efs:file-system", "fs_id"),
    "ServiceName": ("ecs:service", "name"),
    "StateMachineArn": ("states:state-machine", "@id"),
    "DistributionId": ("cloudfront:distribution", "distribution_id"),
    "ApiName": ("apigateway:rest-api", "name"),
    "ApiId": ("apigateway:http-api", "api_id"),
}


def _index(inv: Inventory) -> dict[tuple[str, str], list[str]]:
    idx: dict[tuple[str, str], list[str]] = {}
    wanted = {kind for kind, _ in DIMENSIONS.values()}
    for kind in sorted(wanted):
        for n in inv.nodes(kind):
            for dim, (k, prop) in DIMENSIONS.items():
                if k != kind:
                    continue
                if prop == "@arn-suffix":
                    # ELBv2 dimension values look like app/name/id or targetgroup/name/id
                    parts = n["id"].split(":", 5)[-1].split("/", 1)
                    value = parts[1] if len(parts) > 1 else None
                    if value and kind == "elbv2:target-group":
                        value = n["id"].split(":", 5)[-1]
                elif prop == "@id":
                    value = n["id"]
                else:
                    value = n["props"].get(prop)
                if value:
                    idx.setdefault((dim, str(value)), []).append(n["id"])
    return idx


@deriver
def link_alarms(inv: Inventory) -> None:
    alarms = inv.nodes("cloudwatch:alarm")
    if not alarms:
        return
    idx = _index(inv)
    for a in alarms:
        for dim, value in sorted((a["props"].get("dimensions") or {}).items()):
            for target in idx.get((dim, str(value)), []):
                if inv.graph.nodes[target].get("region") in (a["region"], "global"):
                    inv.add_edge(Edge(a["id"], target, "monitors", {"dimension": dim}))
