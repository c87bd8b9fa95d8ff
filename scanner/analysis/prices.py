"""Prices for the cost estimate: the embedded table, optionally overlaid with live Price List prices.

The estimate itself (``cost.py``) is a pure function of the graph and a
:class:`PriceBook`. Live prices are fetched before analysis, by the CLI, so
analysis never calls AWS: ``fetch_live`` reads pricing:GetProducts for the
instance, database and cache types the inventory actually uses, caches the
answers on disk, and returns a PriceBook whose look-ups prefer them.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.inventory import Inventory, atomic_write

PRICING_REGION = "us-east-1"  # the Price List API answers from us-east-1 (and ap-south-1)
#: the region of nodes that belong to no region (Route 53 zones, CloudFront distributions)
GLOBAL_REGIONS = ("global", "aws-global")


@lru_cache(maxsize=1)
def embedded_table() -> dict[str, Any]:
    return json.loads(resources.files("scanner").joinpath("data/prices.json").read_text(encoding="utf-8"))


@dataclass
class PriceBook:
    table: dict[str, Any] = field(default_factory=embedded_table)
    #: live hourly prices keyed "ec2|t3.medium|us-east-1", "rds|db.m6g.large|postgres|us-east-1", ...
    live: dict[str, float] = field(default_factory=dict)
    source: str = "embedded"
    #: why live prices were not used (a corrupt cache, ...), for the reader of section 10
    warnings: list[str] = field(default_factory=list)

    @property
    def hours(self) -> int:
        return int(self.table["hours_per_month"])

    def factor(self, region: str) -> float | None:
        """How a region's prices compare with us-east-1's; global services (Route 53, CloudFront)
        have one price list, so their factor is 1."""
        if region in GLOBAL_REGIONS:
            return 1.0
        return self.table["region_factor"].get(region)

    def _regional(self, base: float | None, region: str) -> float | None:
        f = self.factor(region)
        if base is None or f is None:
            return None
        return base * f

    def ec2_hourly(self, instance_type: str, region: str, windows: bool = False, vcpus: int | None = None) -> float | None:
        live = self.live.get(f"ec2|{instance_type}|{region}")
        price = live if live is not None else self._regional(self.table["ec2_hourly"].get(instance_type), region)
        if price is not None and windows:
            price += self.table["ec2_windows_extra_per_vcpu_hour"] * (vcpus or 2)
        return price

    def rds_hourly(self, klass: str, engine: str, region: str) -> float | None:
        engine = (engine or "").lower()
        live = self.live.get(f"rds|{klass}|{engine}|{region}")
        if live is not None:
            return live
        if engine.startswith("aurora"):
            return self._regional(self.table["aurora_hourly"].get(klass), region)
        base = self.table["rds_hourly"].get(klass)
        factor = self.table["rds_engine_factor"].get(engine, 1.0 if engine else None)
        if base is None or factor is None:
            return None
        return self._regional(base * factor, region)

    def cache_hourly(self, node_type: str, region: str) -> float | None:
        live = self.live.get(f"elasticache|{node_type}|{region}")
        return live if live is not None else self._regional(self.table["elasticache_hourly"].get(node_type), region)

    def per_month(self, key: str, region: str, sub: str | None = None) -> float | None:
        value = self.table.get(key)
        if sub is not None:
            value = (value or {}).get(sub)
        return self._regional(value, region)

    def describe(self) -> dict[str, Any]:
        out = {"source": self.table["source"], "date": self.table["date"], "currency": self.table["currency"],
               "hours_per_month": self.hours, "live_prices": len(self.live),
               "mode": self.source}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


# --- live prices (pricing:GetProducts) ---------------------------------------------------------
REGION_NAMES = {  # Price List "location" is the long region name
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)",
    "eu-central-1": "EU (Frankfurt)", "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)", "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-south-1": "Asia Pacific (Mumbai)", "ca-central-1": "Canada (Central)", "sa-east-1": "South America (Sao Paulo)",
}
RDS_ENGINES = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "aurora-postgresql": "Aurora PostgreSQL",
               "aurora-mysql": "Aurora MySQL"}


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "awsscan" / "prices-live.json"


def needed(inv: Inventory) -> list[tuple[str, ...]]:
    """The (service, type, [engine,] region) tuples the inventory needs prices for."""
    keys: set[tuple[str, ...]] = set()
    for n in inv.nodes("ec2:instance"):
        if n["props"].get("instance_type"):
            keys.add(("ec2", n["props"]["instance_type"], n["region"]))
    for n in inv.nodes("rds:instance"):
        if n["props"].get("instance_class") and n["props"].get("engine"):
            keys.add(("rds", n["props"]["instance_class"], n["props"]["engine"], n["region"]))
    for n in inv.nodes("elasticache:cluster"):
        if n["props"].get("node_type"):
            keys.add(("elasticache", n["props"]["node_type"], n["region"]))
    return sorted(keys)


def _filters(key: tuple[str, ...]) -> tuple[str, list[dict[str, str]]] | None:
    service, typ, *rest = key
    region = rest[-1]
    if REGION_NAMES.get(region) is None:
        return None

    def f(field_: str, value: str) -> dict[str, str]:
        return {"Type": "TERM_MATCH", "Field": field_, "Value": value}

    if service == "ec2":
        return "AmazonEC2", [f("instanceType", typ), f("location", REGION_NAMES[region]), f("operatingSystem", "Linux"),
                             f("tenancy", "Shared"), f("preInstalledSw", "NA"), f("capacitystatus", "Used")]
    if service == "rds":
        engine = RDS_ENGINES.get(rest[0])
        if not engine:
            return None
        return "AmazonRDS", [f("instanceType", typ), f("location", REGION_NAMES[region]), f("databaseEngine", engine),
                             f("deploymentOption", "Single-AZ")]
    return "AmazonElastiCache", [f("instanceType", typ), f("location", REGION_NAMES[region]), f("cacheEngine", "Redis")]


def hourly_from_price_list(price_list: list[str]) -> float | None:
    """The on-demand hourly USD price in a GetProducts answer (the first hourly dimension).

    An item that is not the documented shape is skipped, never a crash after the whole scan.
    """
    for item in price_list:
        try:
            doc = json.loads(item) if isinstance(item, str) else item
            for term in (doc.get("terms", {}).get("OnDemand") or {}).values():
                for dim in (term.get("priceDimensions") or {}).values():
                    usd = dim.get("pricePerUnit", {}).get("USD")
                    if usd not in (None, "") and str(dim.get("unit", "")).lower() in ("hrs", "hours", "hour"):
                        value = float(usd)
                        if _valid_price(value):
                            return value
        except (ValueError, TypeError, AttributeError, RecursionError):
            continue
    return None


#: a price cache is a few kilobytes; anything far larger is not ours
CACHE_MAX_BYTES = 16 * 1024 * 1024


class CacheError(Exception):
    """The live price cache exists but cannot be used (corrupt, wrong shape, not a file)."""


def _valid_price(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value > 0)


def read_cache(cache_file: Path) -> dict[str, float]:
    """The cached live prices ({} when there is no cache yet); CacheError when it cannot be trusted.

    Every entry is checked, because a cached price flows straight into arithmetic in the
    cost estimate: one string or null there would fail the run after the whole scan.
    """
    try:
        st = os.stat(cache_file)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CacheError(f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise CacheError("is not a regular file")
    if st.st_size > CACHE_MAX_BYTES:
        raise CacheError(f"is {st.st_size:,} bytes, not a price cache")
    try:
        with open(cache_file, "rb") as fh:
            data = json.loads(fh.read(CACHE_MAX_BYTES + 1).decode("utf-8"))
    except OSError as exc:
        raise CacheError(f"cannot be read: {exc.strerror or exc}") from None
    except (ValueError, RecursionError):
        raise CacheError("is not valid JSON") from None
    if not isinstance(data, dict):
        raise CacheError(f"holds {type(data).__name__}, not an object of prices")
    for key, value in data.items():
        if key.count("|") < 2 or not _valid_price(value):
            raise CacheError(f"has an entry that is not a price ({key[:60]!r}: {str(value)[:30]!r})")
    return {k: float(v) for k, v in data.items()}


def warn(message: str) -> None:
    """One line on stderr, as the CLI's own warnings (the CLI calls this module before analysis)."""
    print(f"awsscan: warning: {message}", file=sys.stderr, flush=True)


def fetch_live(session: Any, inv: Inventory, cache_file: Path | None = None) -> PriceBook:
    """A PriceBook with live prices for what the inventory uses; cached on disk between runs.

    A cache that exists but cannot be trusted means the embedded table for this run, with a
    warning, rather than a crash after the scan or prices of unknown origin.
    """
    from scanner.session import client

    cache_file = cache_file or cache_path()
    try:
        cache = read_cache(cache_file)
    except CacheError as exc:
        message = (f"live price cache {cache_file} {exc}; using the embedded price table "
                   "(delete the file to fetch live prices again)")
        warn(message)
        return PriceBook(warnings=[message])
    pricing = None
    live: dict[str, float] = {}
    for key in needed(inv):
        k = "|".join(key)
        if k in cache:
            live[k] = cache[k]
            continue
        spec = _filters(key)
        if spec is None:
            continue
        if pricing is None:
            pricing = client(session, "pricing", PRICING_REGION)
        resp = pricing.get_products(ServiceCode=spec[0], Filters=spec[1], MaxResults=10)
        price = hourly_from_price_list(resp.get("PriceList", []))
        if price is not None:
            live[k] = cache[k] = price
    try:
        atomic_write(cache_file, json.dumps(cache, sort_keys=True, indent=1))
    except OSError:
        pass  # a read-only home is not a reason to fail the scan
    return PriceBook(live=live, source="live")
