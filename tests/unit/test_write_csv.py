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
    """What write_csv wrote before it looked at whole rows: every text cell neutralised (and,
    row by row, a cell holding `\\r` or `\\n` quoted, the row ending with `\\n`)."""
    lines = []
    for row in [["a", "b", "c"], *rows]:
        one = io.StringIO()
        csv.writer(one, lineterminator="\r\n").writerow(
            [neutralise(c) if isinstance(c, str) else c for c in row]
        )
        lines.append(one.getvalue()[:-2] + "\n")
    return "".join(lines)


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
    text = written(rows)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read == [["a", "b", "c"]] + [
        ["" if c is None else str(neutralise(c) if isinstance(c, str) else c) for c in row]
        for row in rows
    ]
    assert text == cell_by_cell(rows)


def test_a_carriage_return_in_a_cell_is_quoted_so_the_row_reads_back_whole() -> None:
    # An exported quote holding a bare \r once came out unquoted: the file did not re-import.
    assert written([["x\ry", None, "z"]]) == 'a,b,c\n"x\ry",,z\n'
