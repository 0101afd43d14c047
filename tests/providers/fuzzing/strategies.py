"""Hypothesis strategies for the mutations of mutate.py (the same space `random_mutations`
draws from a seeded RNG for the long run)."""

from __future__ import annotations

from hypothesis import strategies as st

from .mutate import BYTE_OPS, EDIT_OPS, TIMES, TOKENS, ByteEdit, Edit, Mutation

fractions = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)

byte_edits = st.builds(
    ByteEdit,
    op=st.sampled_from(BYTE_OPS),
    at=fractions,
    size=st.integers(1, 64),
    data=st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)),
    times=st.sampled_from(TIMES),
    to=fractions,
)
edits = st.builds(Edit, op=st.sampled_from(EDIT_OPS), where=fractions, pick=st.integers(0, 9_999))


def mutations() -> st.SearchStrategy[list[Mutation]]:
    """One to three mutations, structure edits drawn more often than byte edits."""
    one: st.SearchStrategy[Mutation] = st.one_of(edits, edits, byte_edits)
    return st.lists(one, min_size=1, max_size=3)
