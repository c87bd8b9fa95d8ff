"""The document's name for the one pluraliser, ``scanner/plural.py`` (re-exported, not copied)."""

from __future__ import annotations

from scanner.plural import count_of, noun, plural_of

__all__ = ["count_of", "noun", "plural_of"]
