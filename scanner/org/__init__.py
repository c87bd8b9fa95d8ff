"""``awsscan org``: every account of an AWS Organization, scanned in parallel, and its roll-up.

The flow keeps the design's one direction:

    accounts.py   read the organization (accounts, OUs, SCPs, delegated administrators)
    assume.py     one guarded session per account (assumed role, a profile, or the caller's own)
    scan.py       the per-account scans, ``--jobs`` at once, one full report per account
    dask.py       the same scans as tasks on a Dask cluster (``--scheduler``)
    rollup.py     the organization picture, built from the saved snapshots only

``OUT/organization.json`` (the structure read plus what happened to each account) and
``OUT/accounts/<id>/inventory.json`` are everything the roll-up reads, so ``awsscan
org-render OUT/`` rebuilds ``org.md`` and ``org.html`` offline, byte for byte.
"""

from __future__ import annotations
