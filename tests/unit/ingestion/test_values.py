"""Dates and numbers as spreadsheets write them, read one file's way."""

import pytest

from smartretail.ingestion.values import ValueFormat, date_order_evidence, decimal_evidence

DAY_FIRST, MONTH_FIRST = ValueFormat("day_first", "."), ValueFormat("month_first", ".")


@pytest.mark.parametrize("text, day_first, month_first", [
    ("2026-07-01", "2026-07-01", "2026-07-01"),
    ("2026-07-01T23:30:00+02:00", "2026-07-01", "2026-07-01"),
    ("01.07.2026", "2026-07-01", "2026-01-07"),
    ("1/7/26", "2026-07-01", "2026-01-07"),
    ("01-07-2026 14:05", "2026-07-01", "2026-01-07"),
    ("7/1/2026 2:30 PM", "2026-01-07", "2026-07-01"),
    ("2026/07/01", "2026-07-01", "2026-07-01"),
    ("1 Jul 2026", "2026-07-01", "2026-07-01"),
    ("31/12/99", "1999-12-31", None),
    ("Jul 1, 2026", "2026-07-01", "2026-07-01"),
    ("01-Juil-2026", "2026-07-01", "2026-07-01"),
    ("3. März 2026", "2026-03-03", "2026-03-03"),
    ("05/05/2026", "2026-05-05", "2026-05-05"),
])
def test_dates_are_read_the_files_way(text, day_first, month_first):
    assert DAY_FIRST.date(text)[0] == day_first
    if month_first:
        assert MONTH_FIRST.date(text)[0] == month_first


@pytest.mark.parametrize("text, reason", [
    ("2026-02-30", "is not a real day"),
    ("13/13/2026", "is not a real day"),
    ("07/14/2026", "is not a day-first"),
    ("1850-01-01", "must be between 1990 and 2100"),
    ("24/03/31", "must be between 1990 and 2100"),  # year-first 2024-03-31 or 1931: not read as 2031
    ("next tuesday", "must be a date such as"),
])
def test_dates_that_cannot_be_read_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        DAY_FIRST.date(text)


def test_without_an_order_only_dates_that_prove_their_own_are_read():
    assert ValueFormat().date("31/03/2024")[0] == "2024-03-31"
    with pytest.raises(ValueError, match="could be day-first or month-first"):
        ValueFormat().date("01/03/2024")
    with pytest.raises(ValueError, match="could be day-first or month-first"):
        ValueFormat().date("13/07/26")  # a two-digit year could be year-first too


@pytest.mark.parametrize("text, point, comma", [
    ("3.58", 3.58, None), ("3,58", None, 3.58), ("1,200", 1200, 1.2), ("1.200", 1.2, 1200), ("1,200.50", 1200.5, None),
    ("1.200,50", None, 1200.5), ("$3.58", 3.58, None), ("3,58 €", None, 3.58), ("EUR 12", 12, 12), ("1 200,5", None, 1200.5),
    ("1'200.5", 1200.5, None), ("-4", -4, -4), ("12", 12, 12), ("1 5", None, None), ("1'2", None, None),
])
def test_numbers_are_read_with_the_files_decimal_mark(text, point, comma):
    for mark, expected in ((".", point), (",", comma)):
        fmt = ValueFormat(None, mark)
        if expected is None:
            with pytest.raises(ValueError, match="must be a number like"):
                fmt.number(text)
        else:
            assert fmt.number(text)[0] == pytest.approx(expected)


@pytest.mark.parametrize("text, expected", [
    ("13/07/2026", "day_first"), ("07/13/2026", "month_first"), ("01/07/2026", "ambiguous"), ("07/07/2026", None), ("2026-07-01", None),
    ("13/07/26", "ambiguous"),
])
def test_which_date_order_a_value_proves(text, expected):
    assert date_order_evidence(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("3,58", ","), ("3.58", "."), ("1,200", "ambiguous"), ("1.200,5", ","), ("1,200.5", "."), ("12", None),
])
def test_which_decimal_mark_a_value_proves(text, expected):
    assert decimal_evidence(text) == expected


def test_a_number_that_could_be_either_is_not_read_until_the_mark_is_settled():
    unsettled = ValueFormat(None, None)
    assert unsettled.number("3,58")[0] == 3.58 and unsettled.number("1,200.50")[0] == 1200.5 and unsettled.number("12")[0] == 12
    with pytest.raises(ValueError, match="could be 1200 or 1.2: declare the file's decimal mark"):
        unsettled.number("1,200")
