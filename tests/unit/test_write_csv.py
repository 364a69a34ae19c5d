"""CSV output: the cells a spreadsheet would run as a formula, and only those, are neutralised,
whichever way `write_csv` finds them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from tracker.adapters.files import neutralise, write_csv

RISKY = ("=1+1", "+cmd", "-x", "@SUM(A1)", "\tx", "\rx", "'=quoted", "''+twice")
SAFE = ("plain", "-5", "+1.5", "'plain", "'", "a=b", "")


def written(rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    write_csv(out, ["a", "b", "c"], rows)
    return out.getvalue()


def cell_by_cell(rows: Sequence[Sequence[object]]) -> str:
    """What write_csv wrote before it looked at whole rows: every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["a", "b", "c"])
    for row in rows:
        writer.writerow([neutralise(c) if isinstance(c, str) else c for c in row])
    return out.getvalue()


def test_a_formula_in_any_cell_is_neutralised_and_the_other_cells_are_left_alone() -> None:
    assert written([["=1+1", "-5", None], [None, 7, "@SUM(A1)"], ["plain", "", "'=x"]]) == (
        "a,b,c\n'=1+1,-5,\n,7,'@SUM(A1)\nplain,,''=x\n"
    )
    for cell in (*RISKY, *SAFE):
        for row in ([cell, None, 3], [None, 3, cell], ["text", cell, "more"]):
            assert written([row]) == cell_by_cell([row]), row


@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(),
                st.sampled_from((*RISKY, *SAFE)),
                st.text(alphabet=st.sampled_from("=+-@'\t\r 1.a,\"\n")),
            ),
            min_size=3,
            max_size=3,
        ),
        max_size=5,
    )
)
def test_write_csv_writes_what_neutralising_every_cell_writes(rows: list[list[object]]) -> None:
    assert written(rows) == cell_by_cell(rows)
