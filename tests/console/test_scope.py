"""Unit scope: the subtree rule (table-driven and property-based) and scope per role."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.core import scope
from contest.errors import NotFound
from contest.storage.tables import Staff
from tests.conftest import World

TREE = {"P": None, "D1": "P", "D2": "P", "S1": "D1", "S2": "D1", "X": "S2"}


@pytest.mark.parametrize(("root", "expected"), [
    ("P", {"P", "D1", "D2", "S1", "S2", "X"}),
    ("D1", {"D1", "S1", "S2", "X"}),
    ("D2", {"D2"}),
    ("X", {"X"}),
    ("missing", set()),
])
def test_subtree(root: str, expected: set[str]) -> None:
    assert scope.subtree(TREE, root) == expected


@given(st.lists(st.integers(0, 30), min_size=1, max_size=30))
def test_subtree_of_a_random_tree_is_closed_under_children(parent_picks: list[int]) -> None:
    tree: dict[str, str | None] = {"n0": None}
    for i, pick in enumerate(parent_picks, start=1):
        tree[f"n{i}"] = f"n{pick % i}"
    for root in tree:
        sub = scope.subtree(tree, root)
        assert root in sub
        for code, parent in tree.items():
            if parent in sub:
                assert code in sub  # every child of a member is a member
            if code in sub and code != root:
                assert parent in sub  # and members hang off the root


def test_subtree_survives_a_cycle() -> None:
    assert scope.subtree({"A": "B", "B": "A"}, "A") == {"A", "B"}


def _staff(role: str, unit: str | None) -> Staff:
    return Staff(username="x", password_hash="", role=role, unit_code=unit)


@pytest.mark.parametrize(("role", "unit", "expected"), [
    ("admin", None, None),
    ("organiser", "BP-BUDANG", None),
    ("unit_officer", "BP-BUDANG", {"BP-BUDANG", "BP-BUDANG-THPT"}),
    ("unit_officer", None, set()),
    ("viewer", None, None),
    ("viewer", "BP-DONGXOAI", {"BP-DONGXOAI"}),
])
async def test_scope_per_role(world: World, role: str, unit: str | None,
                              expected: set[str] | None) -> None:
    assert await scope.unit_codes_in_scope(world.ctx, _staff(role, unit)) == expected


async def test_out_of_scope_unit_and_participant_are_not_found(world: World) -> None:
    officer = _staff("unit_officer", "BP-BUDANG")
    await scope.require_unit(world.ctx, officer, "BP-BUDANG-THPT")
    with pytest.raises(NotFound):
        await scope.require_unit(world.ctx, officer, "BP-DONGXOAI")
    r = await world.register()
    pid = r.json()["participant_id"]  # registered in BP-BUDANG-THPT
    assert (await scope.require_participant(world.ctx, officer, pid)).id == pid
    with pytest.raises(NotFound):
        await scope.require_participant(world.ctx, _staff("unit_officer", "BP-DONGXOAI"), pid)
    with pytest.raises(NotFound):
        await scope.narrowed(world.ctx, officer, "BP-DONGXOAI")
    assert await scope.narrowed(world.ctx, officer, "BP-BUDANG-THPT") == {"BP-BUDANG-THPT"}
