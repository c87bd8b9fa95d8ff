"""Link API Gateway ids to API nodes: Lambda invoke permissions and custom domain mappings.

Both name an API by its id alone (``arn:aws:execute-api:region:account:apiId/...`` in a
function's resource policy; ``ApiId`` in a domain's API mapping), and the id does not say
whether it is a REST API or an HTTP/WebSocket API, whose graph ids differ. Only the merged
graph holds both collectors' API nodes, so the link is made here:

- API -> function ``triggers`` (``via: resource-policy``) for every execute-api SourceArn; an
  API that was not scanned (denied, another region or account) keeps an external node named
  by its execute-api ARN, so the function still says what invokes it.
- custom domain -> API ``aliases`` (stage and base path on the edge) for every mapping whose
  API was scanned; the mapping itself stays listed on the domain either way.
"""

from __future__ import annotations

from scanner.collectors.lambda_policies import execute_api_sources
from scanner.derive import deriver
from scanner.inventory import Edge, Inventory

API_KINDS = ("apigateway:rest-api", "apigateway:http-api")


def _api_index(inv: Inventory) -> dict[tuple[str, str, str], str]:
    """(account, region, api id) -> the API node's id."""
    idx: dict[tuple[str, str, str], str] = {}
    for n in inv.nodes(*API_KINDS):
        api_id = (n.get("props") or {}).get("api_id")
        if api_id:
            idx[(str(n.get("account") or ""), str(n.get("region") or ""), str(api_id))] = n["id"]
    return idx


@deriver
def link_api_ids(inv: Inventory) -> None:
    functions = inv.nodes("lambda:function")
    domains = inv.nodes("apigateway:domain-name")
    if not functions and not domains:
        return
    idx = _api_index(inv)
    partition_of = {f["id"]: f["id"].split(":", 2)[1] for f in functions if f["id"].startswith("arn:")}
    for f in functions:
        for region, account, api_id in execute_api_sources((f.get("props") or {}).get("invoke_principals")):
            src = idx.get((account, region, api_id)) or \
                f"arn:{partition_of.get(f['id'], 'aws')}:execute-api:{region}:{account}:{api_id}"
            inv.add_edge(Edge(src, f["id"], "triggers", {"via": "resource-policy"}))
    for d in domains:
        for m in (d.get("props") or {}).get("mappings") or []:
            target = idx.get((str(d.get("account") or ""), str(d.get("region") or ""), str(m.get("api_id"))))
            if target:
                inv.add_edge(Edge(d["id"], target, "aliases", {"stage": m.get("stage"), "path": m.get("path")}))
