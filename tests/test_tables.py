"""cvcourse.tools.tables.markdown_table: the one Markdown table writer."""

import pytest

from cvcourse.tools.tables import markdown_table


def test_header_alignment_rows_and_cell_text():
    text = markdown_table(
        ["name", "seconds", "note"],
        [["a", 1.5, "x | y\nz"], ["b", "", None]],
        right={"seconds"},
    )
    assert text.split("\n") == [
        "| name | seconds | note |",
        "| --- | ---: | --- |",
        "| a | 1.5 | x \\| y z |",
        "| b | - | None |",
    ]
    assert not text.endswith("\n")


def test_no_rows_gives_header_and_rule():
    assert markdown_table(["a"], []) == "| a |\n| --- |"


def test_bad_rows_and_columns_are_errors():
    with pytest.raises(ValueError, match="row 2 has 1 cells but the header has 2"):
        markdown_table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match=r"right-aligned column\(s\) \['c'\]"):
        markdown_table(["a", "b"], [], right={"c"})
