"""Lambda layers and asynchronous-invocation destinations.

A layer is code every function that names it runs; which version each function pins is in
the function's own configuration (``Layers``), so the ``uses_layer`` edge (function -> layer,
``version`` on the edge) is made by the function transform and this module's collector only
describes the layers the account publishes. Layers from other accounts (vendors' extensions)
stay external nodes with their ARN.

Destinations (``ListFunctionEventInvokeConfigs``) say where the result of an asynchronous
invocation goes: a queue, topic, event bus or bucket (``publishes_to``) or another function
(``triggers``, since the destination function is invoked by this one).
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import ident
from scanner.collectors.lambda_policies import function_arn
from scanner.collectors.registry import collector
from scanner.context import ScanContext, iso
from scanner.inventory import Records

#: how DestinationConfig names the two outcomes, and the word this scanner keeps for each
OUTCOMES = (("OnSuccess", "success"), ("OnFailure", "failure"))


def layer_ref(arn: str | None) -> tuple[str | None, int | None]:
    """``arn:...:layer:name:3`` -> (``arn:...:layer:name``, 3); an unversioned ARN keeps None."""
    if not arn:
        return None, None
    head, _, tail = str(arn).rpartition(":")
    if head and tail.isdigit() and ":layer:" in head:
        return head, int(tail)
    return str(arn), None


def function_layer_edges(out: Records, fn: str, layers: list[dict[str, Any]] | None) -> None:
    """function -> layer ``uses_layer`` edges, the pinned version on the edge."""
    for la in layers or []:
        layer, version = layer_ref((la or {}).get("Arn") if isinstance(la, dict) else None)
        out.edge(fn, layer, "uses_layer", version=version)


def destination_refs(configs: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Every destination of a function's event invoke configs (one per alias/version that has one)."""
    if configs is None:
        return None
    out = []
    for c in configs:
        fn = str((c or {}).get("FunctionArn") or "")
        parts = fn.split(":")
        qualifier = parts[7] if len(parts) > 7 and parts[5] == "function" else None
        for key, word in OUTCOMES:
            dest = (((c or {}).get("DestinationConfig") or {}).get(key) or {}).get("Destination")
            if dest:
                out.append({"on": word, "destination": str(dest), "qualifier": qualifier})
    return sorted(out, key=lambda d: (d["on"], d["destination"], d["qualifier"] or ""))


def destination_edges(out: Records, fn: str, destinations: list[dict[str, Any]] | None) -> None:
    """function -> destination: ``triggers`` for a function (alias or version stripped),
    ``publishes_to`` for a queue, topic, event bus or bucket."""
    for d in destinations or []:
        dest = d["destination"]
        if ":lambda:" in dest:
            out.edge(fn, function_arn(dest) or dest, "triggers", via="destination", on=d["on"])
        else:
            out.edge(fn, dest, "publishes_to", destination=d["on"])


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def transform_layers(ctx: ScanContext, layers: list[dict[str, Any]]) -> Records:
    """Each layer is list_layers' item plus ``_versions`` (list_layer_versions' items, None = not read)."""
    out = ctx.records()
    for la in layers:
        arn = ident(out, la, "LayerArn", "lambda", "lambda:ListLayers", "a layer")
        if not arn:
            continue
        latest = la.get("LatestMatchingVersion") or {}
        versions = la.get("_versions")
        numbers = None if versions is None else sorted(
            {v for v in (_int((x or {}).get("Version")) for x in versions) if v is not None})
        newest = max(numbers) if numbers else _int(latest.get("Version"))
        out.node(arn, "lambda:layer", la.get("LayerName"), name=la.get("LayerName"),
                 latest_version=newest, versions=numbers,
                 runtimes=[str(r) for r in latest.get("CompatibleRuntimes") or []],
                 architectures=[str(a) for a in latest.get("CompatibleArchitectures") or []],
                 description=latest.get("Description") or None, created=iso(latest.get("CreatedDate")))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("lambda.layers", "lambda", reads="lambda:ListLayers, lambda:ListLayerVersions")
def collect_layers(ctx: ScanContext) -> Records:
    out = ctx.records()
    layers = list(ctx.paginate("lambda", "list_layers", "Layers"))
    for la in layers:
        la["_versions"] = ctx.optional_pages(out, "lambda", "list_layer_versions", "LayerVersions",
                                             resource=la.get("LayerArn") or "", missing=("ResourceNotFoundException",),
                                             LayerName=la.get("LayerName") or la.get("LayerArn"))
    return out.extend(transform_layers(ctx, layers))
