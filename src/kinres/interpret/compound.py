"""Phase of co-occurring on-target mutations, from read-level phasing in coverage.json.

Digest rule: call a compound only in cis; in trans each mutation is its own population (combined
call = intersection of sensitivities); unresolved phase -> 'phase undetermined', no compound call.
"""

from __future__ import annotations

from itertools import combinations

from kinres.enums import Phase
from kinres.models import PhaseCall


def group_phase(keys: list[str], phases: list[PhaseCall]) -> Phase:
    """cis only if every pair is cis; trans if every pair is resolved and one is trans; else unknown."""
    lookup: dict[frozenset[str], Phase] = {}
    for p in phases:
        lookup[frozenset((p.variant_a, p.variant_b))] = p.phase
    pair_phases = [lookup.get(frozenset(pair), Phase.UNKNOWN) for pair in combinations(sorted(keys), 2)]
    if not pair_phases or Phase.UNKNOWN in pair_phases:
        return Phase.UNKNOWN
    if all(p is Phase.CIS for p in pair_phases):
        return Phase.CIS
    return Phase.TRANS
