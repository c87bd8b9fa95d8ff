"""Recognise secret-looking configuration in memory, so only the *fact* is kept, never the value.

Collectors that see environment variables, build variables or stack parameters
call :func:`secret_like` on each (name, value) pair and store the names that
match (``secret_env_names``); the values are dropped on the spot. A findings
rule then reports plaintext secrets without ever having held them.

Tag values are judged the same way (:func:`withhold_secret_tags`, applied by
``scanner.context.tags_of`` for every collector): a ``db_password`` tag keeps its
key and loses its value, which no output file then contains.
"""

from __future__ import annotations

import math
import re

SECRET_NAME = re.compile(r"(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|auth|"
                         r"access[_-]?key|client[_-]?secret|conn(ection)?[_-]?str|dsn|signing)", re.I)
SECRET_VALUE = (
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),                     # AWS access key id
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),       # PEM private key
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),           # GitHub token
    re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}\b"),          # Slack token
    re.compile(r"\bsk_live_[A-Za-z0-9]{20,}\b"),             # Stripe secret key
    re.compile(r"://[^/\s:@]+:[^/\s:@]+@"),                  # credentials in a URL
)
#: values that reference a secret store rather than contain one
REFERENCE = re.compile(r"^(arn:aws[\w-]*:(secretsmanager|ssm|kms):|\{\{resolve:|\$\{|ssm:|secretsmanager:)", re.I)


def entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = {c: value.count(c) for c in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def secret_like(name: str, value: object) -> bool:
    """True when a plaintext (name, value) pair looks like it holds a secret."""
    text = "" if value is None else str(value)
    if text and REFERENCE.match(text):
        return False
    if any(p.search(text) for p in SECRET_VALUE):
        return True
    if SECRET_NAME.search(name or "") and len(text) >= 6 and text.lower() not in ("true", "false", "none", "null"):
        return True
    return len(text) >= 32 and " " not in text and entropy(text) > 4.5


def secret_names(pairs: dict[str, object] | list[tuple[str, object]]) -> list[str]:
    """The names whose values look secret; the caller drops the values afterwards."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return sorted({str(k) for k, v in items if secret_like(str(k), v)})


# --- tags --------------------------------------------------------------------------------------
#: what a tag's value becomes when it looks like a secret: the key stays (it says what the tag is
#: for), the value never leaves memory, and every output shows this marker instead
WITHHELD = "(value withheld: looks like a secret)"
_ARN = re.compile(r"^arn:aws[\w-]*:")


def secret_tag(key: str, value: object) -> bool:
    """True when a tag value looks like a secret (judged as environment values are).

    Keys in the reserved ``aws:`` namespace are written by AWS itself (stack ids, Auto Scaling
    group names), and an ARN is an identifier: both are judged only by the value patterns
    (an access key id, a private key, ...), not by length and randomness.
    """
    text = "" if value is None else str(value)
    if str(key).lower().startswith("aws:") or _ARN.match(text):
        return any(p.search(text) for p in SECRET_VALUE)
    return secret_like(str(key), text)


def withhold_secret_tags(tags: dict[str, str]) -> dict[str, str]:
    """The tags with every secret-looking value replaced by :data:`WITHHELD` (keys kept)."""
    return {k: (WITHHELD if v != WITHHELD and secret_tag(k, v) else v) for k, v in tags.items()}


def withheld_tag_keys(tags: dict[str, str] | None) -> list[str]:
    """The tag keys whose values were withheld, for a document that says what it left out."""
    return sorted(k for k, v in (tags or {}).items() if v == WITHHELD)
