"""Audit rules, one module per area; each module registers its rules with ``@rule`` on import.

A rule is a small function of a :class:`~scanner.analysis.findings.RuleContext`
that yields one :class:`~scanner.analysis.findings.Hit` per resource it concerns,
with evidence a reader can verify in the console (ids, settings, values).
Rules treat ``None`` props as "not known" and never fire on them.
"""
