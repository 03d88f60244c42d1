"""EditPlan: the pointer convention, derived views and validation."""

import pytest

from textedit.edits import DELETE, KEEP, START_SLOT, EditPlan, InvalidPlanError, convert, realise

SOURCE = "A long user query".split()
TARGET = "The user query is very long".split()


def test_paper_example_tags_order_pointers_and_insertions():
    plan = convert(SOURCE, TARGET)
    assert plan.tags == (DELETE, KEEP, KEEP, KEEP)
    assert [SOURCE[i] for i in plan.order()] == ["user", "query", "long"]
    # Slots: START=0, A=1, long=2, user=3, query=4.
    # START->user, A->A (deleted), long->START (last), user->query, query->long.
    assert plan.pointers == (3, 1, START_SLOT, 4, 2)
    assert plan.insertions == ((0, ("The",)), (2, ("is", "very")))
    assert plan.num_inserted_tokens() == 3
    assert plan.max_position() == 2
    assert plan.positions_needed() == 3
    assert plan.num_reorderings() == 1
    assert realise(SOURCE, plan) == TARGET


def test_pointers_are_a_permutation_with_deleted_tokens_as_fixed_points():
    plan = EditPlan.from_order(5, [3, 0, 4])
    assert sorted(plan.pointers) == list(range(6))
    fixed_points = [slot for slot, target in enumerate(plan.pointers) if slot == target]
    assert fixed_points == [2, 3]  # source tokens 1 and 2, the deleted ones
    assert plan.order() == (3, 0, 4)


def test_nothing_kept_start_points_to_itself():
    plan = EditPlan.from_order(3, [], [(0, ("x",))])
    assert plan.pointers == (0, 1, 2, 3)
    assert plan.tags == (DELETE,) * 3
    assert plan.order() == ()
    assert realise(["a", "b", "c"], plan) == ["x"]


def test_empty_source_and_no_insertions():
    plan = EditPlan.from_order(0, [])
    assert plan.pointers == (START_SLOT,)
    assert plan.max_position() == -1
    assert plan.positions_needed() == 0
    assert realise([], plan) == []


@pytest.mark.parametrize(
    "plan, message",
    [
        (EditPlan(tags=(1, 1), pointers=(1, 2, 1)), "does not return to START"),
        (EditPlan(tags=(1, 1), pointers=(1, 0, 2)), "exactly the KEEP tokens"),
        (EditPlan(tags=(0, 1), pointers=(2, 0, 1)), "exactly the KEEP tokens"),
        (EditPlan(tags=(1, 0), pointers=(1, 0, 0)), "must point to itself"),
        (EditPlan(tags=(1,), pointers=(1, 0), insertions=((2, ("x",)),)), "increase strictly"),
        (
            EditPlan(tags=(1,), pointers=(1, 0), insertions=((1, ("x",)), (1, ("y",)))),
            "increase strictly",
        ),
        (EditPlan(tags=(1,), pointers=(1, 0), insertions=((0, ()),)), "empty insertion"),
        (EditPlan(tags=(2,), pointers=(1, 0)), "tags must be"),
        (EditPlan(tags=(1,), pointers=(1,)), "1 pointers for 1 tags"),
    ],
)
def test_validate_names_the_contradiction(plan, message):
    with pytest.raises(InvalidPlanError, match=message):
        plan.validate()


def test_from_order_rejects_repeated_or_out_of_range_indices():
    with pytest.raises(InvalidPlanError):
        EditPlan.from_order(3, [0, 0])
    with pytest.raises(InvalidPlanError):
        EditPlan.from_order(3, [3])


def test_realise_rejects_a_plan_for_another_source_length():
    plan = convert(SOURCE, TARGET)
    with pytest.raises(InvalidPlanError, match="4 tags for 3 source tokens"):
        realise(SOURCE[:3], plan)
