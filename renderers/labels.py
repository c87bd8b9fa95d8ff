"""Human names for node kinds, for tables and sentences (the graph keeps the kind ids)."""

from __future__ import annotations

LABELS = {
    "ec2:vpc": "VPC", "ec2:subnet": "subnet", "ec2:route-table": "route table",
    "ec2:internet-gateway": "internet gateway", "ec2:egress-only-internet-gateway": "egress-only internet gateway",
    "ec2:nat-gateway": "NAT gateway", "ec2:elastic-ip": "Elastic IP", "ec2:security-group": "security group",
    "ec2:network-acl": "network ACL", "ec2:vpc-peering": "VPC peering", "ec2:transit-gateway": "transit gateway",
    "ec2:vpc-endpoint": "VPC endpoint", "ec2:instance": "EC2 instance", "ec2:image": "AMI",
    "ec2:launch-template": "launch template", "autoscaling:group": "Auto Scaling group",
    "elbv2:load-balancer": "load balancer", "elb:load-balancer": "classic load balancer",
    "elbv2:target-group": "target group", "elbv2:listener": "listener", "ecs:cluster": "ECS cluster",
    "ecs:service": "ECS service", "eks:cluster": "EKS cluster", "lambda:function": "Lambda function",
    "s3:bucket": "S3 bucket", "ebs:volume": "EBS volume", "ebs:snapshot": "EBS snapshot",
    "efs:file-system": "EFS file system", "rds:instance": "RDS instance", "rds:cluster": "Aurora/RDS cluster",
    "dynamodb:table": "DynamoDB table", "elasticache:replication-group": "ElastiCache replication group",
    "elasticache:cluster": "ElastiCache cluster", "iam:role": "IAM role", "iam:user": "IAM user",
    "iam:group": "IAM group", "iam:policy": "IAM policy", "kms:key": "KMS key",
    "cloudtrail:trail": "CloudTrail trail", "guardduty:detector": "GuardDuty detector",
    "config:recorder": "Config recorder", "securityhub:hub": "Security Hub",
    "codepipeline:pipeline": "pipeline", "codebuild:project": "build project",
    "codedeploy:deployment-group": "deployment group", "cloudformation:stack": "CloudFormation stack",
    "codecommit:repository": "CodeCommit repository", "cloudwatch:alarm": "CloudWatch alarm",
    "logs:log-group": "log group", "backup:plan": "backup plan", "route53:hosted-zone": "hosted zone",
    "budgets:budget": "budget", "ssm:maintenance-window": "maintenance window",
    "organizations:organization": "organization", "apigateway:rest-api": "REST API",
    "apigateway:http-api": "HTTP API", "cloudfront:distribution": "CloudFront distribution",
    "fsx:file-system": "FSx file system", "dax:cluster": "DAX cluster", "sqs:queue": "SQS queue",
    "sns:topic": "SNS topic",
}


def kind_label(kind: str, count: int = 1) -> str:
    label = LABELS.get(kind) or kind.split(":", 1)[-1].replace("-", " ")
    if count != 1 and not label.endswith("s"):
        label += "es" if label.endswith(("ch", "sh", "x")) else "s"
    return label


def regions_text(regions: list[str], limit: int = 6) -> str:
    """Regions named in a line: all of them when few, else the count and the first ones."""
    regions = sorted(dict.fromkeys(r for r in regions if r))
    if len(regions) <= limit:
        return ", ".join(regions)
    return f"{len(regions)} regions ({', '.join(regions[:limit])}, ...)"
