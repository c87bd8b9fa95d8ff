"""The shared look of the three diagrams, and the small scene model they are drawn from.

Colours, fonts, shapes and the legend live here (after mingrammer/diagrams: the
diagram modules decide *what* is drawn and nested, never how it looks), so the
three diagrams speak one visual language: one colour per resource family, one
shape per role. No icons: every shape is drawn by Graphviz, so the SVG is
self-contained (it references no file, image or font outside itself).

A diagram is first described as a :class:`Scene` (boxes, nodes, edges), then
emitted as DOT. The scene is what the scale rules count and split, and emitting
from sorted structures keeps the DOT deterministic: same inventory, same bytes.
All account text passes through :func:`renderers.escape.dot_label`; cluster and
node ids come from resource ids through :func:`renderers.escape.dot_id`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import graphviz

from renderers.escape import dot_id, dot_label

FONT = "Helvetica,Arial,sans-serif"
INK = "#232F3E"        # AWS squid ink: text and the account frame
MUTED = "#5F6B7A"      # secondary text
EDGE = "#545B64"

#: resource family -> (line colour, fill colour)
FAMILIES: dict[str, tuple[str, str]] = {
    "network": ("#8C4FFF", "#F3EEFF"),
    "edge": ("#6A3FD0", "#EEE7FF"),
    "compute": ("#D45B07", "#FFF1E5"),
    "container": ("#C7511F", "#FFEDE3"),
    "serverless": ("#E07B00", "#FFF6E0"),
    "database": ("#3B48CC", "#ECEEFD"),
    "storage": ("#3F8624", "#EDF7E8"),
    "integration": ("#B0084D", "#FCEAF1"),
    "security": ("#DD344C", "#FFF8F8"),
    "identity": ("#BF0816", "#FFF0F0"),
    "management": ("#7D5C00", "#FFF8E1"),
    "devtools": ("#1F6FB2", "#E8F1FA"),
    "internet": (INK, "#FFFFFF"),
    "external": ("#8D99A8", "#F4F5F7"),
}

#: node kind -> (family, shape, short human title)
KIND_LOOK: dict[str, tuple[str, str, str]] = {
    "internet": ("internet", "ellipse", "Internet"),
    "external": ("external", "box", "External"),
    "net:cidr": ("external", "box", "Address range"),
    "ec2:prefix-list": ("external", "box", "Prefix list"),
    "aws:account": ("external", "box", "Account"),
    "ec2:vpc": ("network", "box", "VPC"),
    "ec2:subnet": ("network", "box", "Subnet"),
    "ec2:internet-gateway": ("network", "hexagon", "Internet gateway"),
    "ec2:egress-only-internet-gateway": ("network", "hexagon", "Egress-only IGW"),
    "ec2:nat-gateway": ("network", "hexagon", "NAT gateway"),
    "ec2:vpn-gateway": ("network", "hexagon", "VPN gateway"),
    "ec2:customer-gateway": ("external", "hexagon", "Customer gateway"),
    "ec2:transit-gateway": ("network", "octagon", "Transit gateway"),
    "ec2:vpc-peering": ("network", "hexagon", "Peering"),
    "ec2:vpc-endpoint": ("network", "cds", "VPC endpoint"),
    "elbv2:load-balancer": ("edge", "box", "Load balancer"),
    "elb:load-balancer": ("edge", "box", "Classic LB"),
    "cloudfront:distribution": ("edge", "box", "CloudFront"),
    "route53:hosted-zone": ("edge", "box", "Route 53 zone"),
    "apigateway:rest-api": ("edge", "box", "API Gateway"),
    "apigateway:http-api": ("edge", "box", "API Gateway"),
    "ec2:instance": ("compute", "box", "EC2"),
    "autoscaling:group": ("compute", "box3d", "Auto Scaling group"),
    "ecs:service": ("container", "box3d", "ECS service"),
    "ecs:cluster": ("container", "box", "ECS cluster"),
    "eks:cluster": ("container", "box3d", "EKS cluster"),
    "eks:nodegroup": ("container", "box3d", "EKS node group"),
    "lambda:function": ("serverless", "box", "Lambda"),
    "states:state-machine": ("serverless", "box", "Step Functions"),
    "rds:instance": ("database", "cylinder", "RDS"),
    "rds:cluster": ("database", "cylinder", "Aurora cluster"),
    "elasticache:cluster": ("database", "cylinder", "ElastiCache"),
    "dax:cluster": ("database", "cylinder", "DAX"),
    "dynamodb:table": ("database", "cylinder", "DynamoDB"),
    "s3:bucket": ("storage", "folder", "S3"),
    "efs:file-system": ("storage", "folder", "EFS"),
    "efs:mount-target": ("storage", "folder", "EFS mount"),
    "fsx:file-system": ("storage", "folder", "FSx"),
    "ebs:volume": ("storage", "box", "EBS volume"),
    "sqs:queue": ("integration", "box", "SQS"),
    "sns:topic": ("integration", "box", "SNS"),
    "events:rule": ("integration", "box", "EventBridge"),
    "ec2:security-group": ("security", "box", "Security group"),
    "kms:key": ("security", "component", "KMS key"),
    "iam:role": ("identity", "box", "IAM role"),
    "cloudtrail:trail": ("management", "box", "CloudTrail"),
    "guardduty:detector": ("security", "box", "GuardDuty"),
    "config:recorder": ("management", "box", "AWS Config"),
    "securityhub:hub": ("security", "box", "Security Hub"),
    "codepipeline:pipeline": ("devtools", "box", "CodePipeline"),
    "codebuild:project": ("devtools", "box3d", "CodeBuild"),
    "codedeploy:deployment-group": ("devtools", "box", "CodeDeploy group"),
    "codecommit:repository": ("devtools", "note", "CodeCommit"),
    "codestar-connections:connection": ("devtools", "note", "Connection"),
    "cloudformation:stack": ("management", "box", "CloudFormation"),
    "action": ("devtools", "box", "Action"),
    "note": ("external", "note", ""),
}

#: box (cluster) styles: (line colour, fill, line style, title prefix)
BOXES: dict[str, tuple[str, str, str, str]] = {
    "account": (INK, "#FFFFFF", "solid", "AWS account"),
    "region": ("#00A4A6", "#FFFFFF", "dashed", "Region"),
    "vpc": ("#8C4FFF", "#FBF9FF", "solid", "VPC"),
    "az": ("#007D7F", "#FFFFFF", "dashed", "Availability zone"),
    "subnet_public": ("#7AA116", "#F2F8E6", "solid", "Public subnet"),
    "subnet_private": ("#00A4A6", "#E6F6F6", "solid", "Private subnet"),
    "subnet_unknown": ("#8D99A8", "#F4F5F7", "solid", "Subnet"),
    "services": ("#8D99A8", "#FAFAFA", "rounded", ""),
    "pipeline": ("#1F6FB2", "#FAFCFF", "solid", "Pipeline"),
    "stage": ("#8AB4DD", "#F0F6FC", "rounded", "Stage"),
    "guards": ("#7D5C00", "#FFFDF5", "rounded", ""),
    "legend": ("#B8C0CA", "#FFFFFF", "rounded", ""),
}

#: edge styles by role
EDGES: dict[str, dict[str, str]] = {
    "traffic": {"color": INK, "penwidth": "1.6"},
    "public": {"color": "#D13212", "penwidth": "1.8"},
    "data": {"color": "#3B48CC", "penwidth": "1.3"},
    # egress is drawn reversed (head first, dir=back) so that the gateway ranks above
    # the subnets it serves; constraint=false would be simpler but crashes dot's router
    "egress": {"color": "#8D99A8", "style": "dashed", "dir": "back"},
    "private": {"color": "#8D99A8", "style": "dashed"},
    "peering": {"color": "#8C4FFF", "style": "bold", "dir": "both"},
    "attach": {"color": "#8C4FFF", "style": "dashed", "arrowhead": "none"},
    "integration": {"color": "#B0084D"},
    "uses": {"color": "#8D99A8", "style": "dotted", "arrowhead": "odot"},
    "role": {"color": "#BF0816", "style": "dashed"},
    "encrypts": {"color": "#DD344C", "style": "dotted"},
    "allows": {"color": INK, "penwidth": "1.2"},
    "allows_internet": {"color": "#D13212", "penwidth": "2"},
    "sequence": {"color": "#1F6FB2", "penwidth": "1.4"},
    "deploy": {"color": "#D45B07", "penwidth": "1.3"},
    "artifact": {"color": "#3F8624", "style": "dashed"},
    "invisible": {"style": "invis"},
}

EXPOSED = ("#D13212", "#F9C4B8")     # reachable from the internet
FINDING = "#F89C1C"                  # carries open findings
MISSING = ("#D13212", "#FFFFFF")    # an account guard that is not there
PRESENT = ("#3F8624", "#EDF7E8")
UNKNOWN = ("#8D99A8", "#F4F5F7")


def kind_look(kind: str) -> tuple[str, str, str]:
    """(family, shape, title) of a node kind; unknown kinds look like external things."""
    return KIND_LOOK.get(kind, ("external", "box", kind.split(":")[-1].replace("-", " ")))


def title_of(kind: str) -> str:
    return kind_look(kind)[2]


# --- labels -------------------------------------------------------------------

def html_label(title: Any, *lines: Any, bold: bool = True, limit: int = 48) -> str:
    """An HTML-like Graphviz label; every piece is untrusted text and escaped here.

    The title is bold, further lines smaller and muted. Empty lines are dropped.
    """
    head = dot_label(title, limit)
    parts = [f"<B>{head}</B>" if bold and head else head]
    for line in lines:
        if line in (None, ""):
            continue
        parts.append(f'<FONT POINT-SIZE="9" COLOR="{MUTED}">{dot_label(line, limit)}</FONT>')
    return "<" + "<BR/>".join(p for p in parts if p) + ">"


def text_label(text: Any, limit: int = 40) -> str:
    """A short edge label (ports, counts): escaped, one line."""
    return dot_label(text, limit)


def stable_id(*parts: Any) -> str:
    """A node id for something that is not one resource (a collapsed group, an AZ)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]
    return f"g_{digest}"


# --- attributes -----------------------------------------------------------------

def graph_attrs(rankdir: str = "LR", **extra: str) -> dict[str, str]:
    attrs = {"rankdir": rankdir, "fontname": FONT, "fontsize": "12", "fontcolor": INK,
             "bgcolor": "white", "pad": "0.3", "nodesep": "0.25", "ranksep": "0.5",
             "compound": "true", "newrank": "true", "labelloc": "t", "labeljust": "l",
             "splines": "spline", "outputorder": "edgesfirst"}
    attrs.update(extra)
    return attrs


NODE_DEFAULTS = {"fontname": FONT, "fontsize": "10", "fontcolor": INK, "margin": "0.12,0.05",
                 "penwidth": "1.2"}
EDGE_DEFAULTS = {"fontname": FONT, "fontsize": "9", "fontcolor": MUTED, "arrowsize": "0.7",
                 "color": EDGE}


def node_attrs(kind: str, *, exposed: bool = False, finding: bool = False,
               collapsed: bool = False, state: str | None = None) -> dict[str, str]:
    """Attributes for a node of ``kind``; highlights override the family colours.

    ``state`` is ``present``/``missing``/``unknown`` for account guards.
    """
    family, shape, _ = kind_look(kind)
    line, fill = FAMILIES[family]
    style = ["filled"]
    if shape == "box":
        style.append("rounded")
    if state == "missing":
        line, fill = MISSING
        style.append("dashed")
    elif state == "present":
        line, fill = PRESENT
    elif state == "unknown":
        line, fill = UNKNOWN
        style.append("dashed")
    if exposed:
        line, fill = EXPOSED
    attrs = {"shape": shape, "style": ",".join(style), "color": line, "fillcolor": fill}
    if collapsed:
        attrs["peripheries"] = "2"
    if finding:
        attrs["color"] = FINDING if not exposed else EXPOSED[0]
        attrs["penwidth"] = "3"
    return attrs


def box_attrs(style: str, label: str) -> dict[str, str]:
    line, fill, line_style, _ = BOXES[style]
    styles = ["filled"]
    if line_style == "rounded":
        styles.append("rounded")
    elif line_style != "solid":
        styles.append(line_style)
    return {"label": label, "color": line, "fillcolor": fill, "style": ",".join(styles),
            "fontname": FONT, "fontcolor": INK, "fontsize": "11", "penwidth": "1.4",
            "labeljust": "l", "margin": "10"}


def box_title(style: str, name: Any, *lines: Any) -> str:
    """A cluster label: the box type prefix then the (escaped) name and detail lines."""
    prefix = BOXES[style][3]
    head = f"{prefix}: {name}" if prefix and name else (name or prefix)
    return html_label(head, *lines, limit=60)


def legend_label(entries: list[tuple[str, str, str]]) -> str:
    """An HTML table for the legend; entries are (line colour, fill colour, text)."""
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for line, fill, text in entries:
        rows.append(f'<TR><TD WIDTH="18" HEIGHT="12" BGCOLOR="{fill}" COLOR="{line}" BORDER="2"></TD>'
                    f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{dot_label(text, 70)}</FONT></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def family_entry(kind: str, text: str | None = None) -> tuple[str, str, str]:
    line, fill = FAMILIES[kind_look(kind)[0]]
    return line, fill, text or title_of(kind)


def box_entry(style: str, text: str | None = None) -> tuple[str, str, str]:
    line, fill, _, prefix = BOXES[style]
    return line, fill, text or prefix


# --- scene ------------------------------------------------------------------------

@dataclass
class SNode:
    id: str
    label: str
    attrs: dict[str, str]
    #: what the node stands for: inventory node ids (several when collapsed)
    members: tuple[str, ...] = ()
    kind: str = ""


@dataclass
class SEdge:
    src: str
    dst: str
    role: str
    label: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Box:
    id: str
    style: str
    label: str
    children: dict[str, Box] = field(default_factory=dict)
    nodes: list[str] = field(default_factory=list)
    sort_key: str = ""

    def is_empty(self) -> bool:
        return not self.nodes and all(c.is_empty() for c in self.children.values())


class Scene:
    """Boxes, nodes and edges of one diagram, before they become DOT.

    Node and box ids are unique (a collision of two ``dot_id`` results gets a
    deterministic suffix); an edge is drawn once per (src, dst, role, label).
    """

    def __init__(self) -> None:
        self.root = Box(id="", style="", label="")
        self.nodes: dict[str, SNode] = {}
        self.edges: dict[tuple[str, str, str, str], SEdge] = {}
        self._box_ids: set[str] = set()
        self._boxes: dict[str, Box] = {}

    # -- building ----------------------------------------------------------
    def box(self, parent: Box | None, key: Any, style: str, label: str, sort_key: str = "") -> Box:
        """The box for ``key`` under ``parent``, created once; its id comes from the key."""
        parent = parent or self.root
        base = "cluster_" + dot_id(key)
        if str(key) in parent.children:
            return parent.children[str(key)]
        bid = base
        n = 2
        while bid in self._box_ids:
            bid = f"{base}_{n}"
            n += 1
        self._box_ids.add(bid)
        b = Box(id=bid, style=style, label=label, sort_key=sort_key or str(key))
        parent.children[str(key)] = b
        self._boxes[bid] = b
        return b

    def node(self, box: Box | None, key: Any, label: str, attrs: dict[str, str],
             members: tuple[str, ...] = (), kind: str = "") -> str:
        """Add a node once (by key) into ``box``; returns its DOT id."""
        nid = dot_id(key)
        if nid in self.nodes:
            if self.nodes[nid].members == members or not members:
                return nid
            n = 2
            while f"{nid}_{n}" in self.nodes:
                n += 1
            nid = f"{nid}_{n}"
        self.nodes[nid] = SNode(nid, label, attrs, members, kind)
        (box or self.root).nodes.append(nid)
        return nid

    def edge(self, src: str | None, dst: str | None, role: str, label: str = "", **attrs: str) -> None:
        if not src or not dst or src == dst or src not in self.nodes or dst not in self.nodes:
            return
        key = (src, dst, role, label)
        if key not in self.edges:
            self.edges[key] = SEdge(src, dst, role, label, dict(attrs))

    def remove_nodes(self, ids: set[str]) -> None:
        """Drop nodes (and their edges) from the scene, e.g. when a budget is exceeded."""
        for nid in ids:
            self.nodes.pop(nid, None)
        self.edges = {k: e for k, e in self.edges.items() if e.src not in ids and e.dst not in ids}

        def walk(b: Box) -> None:
            b.nodes = [n for n in b.nodes if n not in ids]
            for c in b.children.values():
                walk(c)
        walk(self.root)

    # -- reading -----------------------------------------------------------
    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def edge_count(self) -> int:
        """Drawn edges; invisible layout edges do not count."""
        return sum(1 for e in self.edges.values() if e.role != "invisible")

    def first_node(self, box: Box) -> str | None:
        """A node inside ``box`` (depth-first, sorted) to anchor a compound edge on."""
        for nid in sorted(box.nodes):
            return nid
        for key in sorted(box.children):
            found = self.first_node(box.children[key])
            if found:
                return found
        return None

    # -- emitting ----------------------------------------------------------
    def to_graph(self, name: str, rankdir: str, title: str | None = None) -> graphviz.Digraph:
        g = graphviz.Digraph(dot_id(name), graph_attr=graph_attrs(rankdir), node_attr=NODE_DEFAULTS,
                             edge_attr=EDGE_DEFAULTS)
        if title:
            g.attr(label=html_label(title, limit=90), fontsize="14")
        self._emit_box(g, self.root)
        for key in sorted(self.edges):
            e = self.edges[key]
            attrs = dict(EDGES.get(e.role, {}))
            attrs.update(e.attrs)
            if e.label:
                attrs["label"] = text_label(e.label)
            src, dst = e.src, e.dst
            if attrs.get("dir") == "back":
                src, dst = dst, src
                tail, head = attrs.pop("ltail", None), attrs.pop("lhead", None)
                if tail:
                    attrs["lhead"] = tail
                if head:
                    attrs["ltail"] = head
            g.edge(src, dst, **attrs)
        return g

    def _emit_box(self, g: graphviz.Digraph, box: Box) -> None:
        for nid in sorted(box.nodes):
            n = self.nodes[nid]
            g.node(nid, n.label, **n.attrs)
        for key in sorted(box.children, key=lambda k: (box.children[k].sort_key, k)):
            child = box.children[key]
            if child.is_empty():
                continue
            with g.subgraph(name=child.id) as sub:
                sub.attr(**box_attrs(child.style, child.label))
                self._emit_box(sub, child)
