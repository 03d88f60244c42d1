"""West-of-N pair selection on fixed scores."""

import pytest

from textedit.data.west_of_n import select_west_of_n

PROMPTS = ["p0", "p1", "p2", "p3"]
RESPONSES = [[f"{p}r{i}" for i in range(4)] for p in PROMPTS]
SCORES = [[0.1, 0.9, -0.5, 0.0],   # best r1, worst r2, margin 1.4
          [2.0, 2.0, 2.0, 2.0],    # tied: no preference
          [0.0, -3.0, 1.0, 0.5],   # best r2, worst r1, margin 4.0
          [0.3, 0.2, 0.1, 0.4]]    # best r3, worst r2, margin 0.3


def test_keeps_all_untied_pairs_in_prompt_order():
    selection = select_west_of_n(PROMPTS, RESPONSES, SCORES)
    assert selection.pairs == [("p0", "p0r1", "p0r2", pytest.approx(1.4)),
                               ("p2", "p2r2", "p2r1", pytest.approx(4.0)),
                               ("p3", "p3r3", "p3r2", pytest.approx(0.3))]
    assert selection.counts == {"prompts": 4, "tied": 1, "below_share": 0, "kept": 3}


def test_keep_share_keeps_the_largest_margins():
    selection = select_west_of_n(PROMPTS, RESPONSES, SCORES, keep_share=0.5)
    assert [p[0] for p in selection.pairs] == ["p0", "p2"]  # ceil(0.5 * 3) = 2 largest margins
    assert selection.counts == {"prompts": 4, "tied": 1, "below_share": 1, "kept": 2}
    assert [p[0] for p in select_west_of_n(PROMPTS, RESPONSES, SCORES, 0.2).pairs] == ["p2"]


@pytest.mark.parametrize("scores, responses, share, message", [
    ([[0.0]] * 4, [["a"]] * 4, 1.0, r"expected \[4, N >= 2\]"),
    (SCORES, RESPONSES[:3] + [["x"]], 1.0, "expected 4 for each"),
    (SCORES, RESPONSES, 0.0, "keep_share=0.0"),
])
def test_bad_input(scores, responses, share, message):
    with pytest.raises(ValueError, match=message):
        select_west_of_n(PROMPTS, responses, scores, share)
