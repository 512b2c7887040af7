"""Diary and infusion CSV: good rows kept, each bad or duplicate row reported by line and column."""

from __future__ import annotations

from datetime import date

import pytest

from msinfusion.diary.csv_io import (
    LineProblem,
    read_diary_csv,
    read_infusions_csv,
    write_diary_csv,
    write_infusions_csv,
)
from msinfusion.diary.entries import DiaryDay, Infusion
from msinfusion.errors import DiaryError

HEADER = "date,fatigue,walking,relapse,notes\n"


def test_good_rows_are_read_with_only_the_recorded_ratings():
    text = HEADER + "2026-01-02,6,,0,tired\n2026-01-01,3,4,1,\n"
    days, problems = read_diary_csv(text)
    assert problems == []
    assert days == [
        DiaryDay(date(2026, 1, 1), {"fatigue": 3, "walking": 4}, True, ""),
        DiaryDay(date(2026, 1, 2), {"fatigue": 6}, False, "tired"),
    ]


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("2026-02-30,5,,,", "date", "not a real calendar date"),
        ("02/01/2026,5,,,", "date", "YYYY-MM-DD"),
        (",5,,,", "date", "missing"),
        ("2026-01-03,11,,,", "fatigue", "outside 0 to 10"),
        ("2026-01-03,-1,,,", "fatigue", "outside 0 to 10"),
        ("2026-01-03,3.5,,,", "fatigue", "not a whole number"),
        ("2026-01-03,bad,,,", "fatigue", "not a whole number"),
        ("2026-01-03,,,yes,", "relapse", "not 1 (yes) or 0 (no)"),
        ("2026-01-03,,,,", "", "nothing recorded"),
    ],
)
def test_a_bad_row_is_reported_on_its_line_and_the_good_rows_are_kept(row, field, words):
    text = HEADER + "2026-01-01,2,2,0,\n" + row + "\n2026-01-05,4,,0,\n"
    days, problems = read_diary_csv(text)
    assert [d.date for d in days] == [date(2026, 1, 1), date(2026, 1, 5)]
    assert len(problems) == 1
    assert (problems[0].line, problems[0].field) == (3, field)
    assert words in problems[0].problem


def test_every_problem_of_a_row_is_reported_and_the_row_left_out_whole():
    days, problems = read_diary_csv(HEADER + "2026-01-01,12,4.5,0,\n")
    assert days == []
    assert [(p.line, p.field) for p in problems] == [(2, "fatigue"), (2, "walking")]


def test_a_duplicate_date_keeps_the_first_row_and_names_it():
    text = HEADER + "2026-01-01,2,,0,first\n2026-01-02,3,,0,\n2026-01-01,9,,0,second\n"
    days, problems = read_diary_csv(text)
    assert [d.notes for d in days if d.date == date(2026, 1, 1)] == ["first"]
    assert problems == [LineProblem(4, "date", "2026-01-01 is already on line 2; line 2 was kept")]


def test_a_bad_first_row_does_not_make_its_date_count_as_seen():
    text = HEADER + "2026-01-01,11,,0,\n2026-01-01,5,,0,\n"
    days, problems = read_diary_csv(text)
    assert [d.ratings for d in days] == [{"fatigue": 5}]
    assert [p.line for p in problems] == [2]


def test_future_days_are_refused_when_today_is_given():
    days, problems = read_diary_csv(HEADER + "2026-01-11,3,,0,\n", today=date(2026, 1, 10))
    assert days == []
    assert problems[0].field == "date" and "future" in problems[0].problem


def test_an_empty_file_cannot_be_read():
    with pytest.raises(DiaryError) as exc:
        read_diary_csv("")
    assert exc.value.field == "line 1"
    with pytest.raises(DiaryError):
        read_diary_csv("\n\n")


def test_a_header_only_file_has_no_days_and_no_problems():
    assert read_diary_csv(HEADER) == ([], [])


def test_a_missing_date_column_names_line_1():
    with pytest.raises(DiaryError) as exc:
        read_diary_csv("fatigue,walking\n3,4\n")
    assert exc.value.field == "line 1"
    assert "date" in exc.value.problem


def test_an_unknown_column_is_an_error_not_silently_dropped():
    with pytest.raises(DiaryError) as exc:
        read_diary_csv("date,fatigeu\n2026-01-01,3\n")
    assert exc.value.field == "line 1: fatigeu"


def test_a_repeated_column_is_an_error():
    with pytest.raises(DiaryError) as exc:
        read_diary_csv("date,pain,Pain\n2026-01-01,3,4\n")
    assert exc.value.field == "line 1: pain"


def test_bom_crlf_semicolons_case_and_blank_lines_are_accepted():
    text = "\ufeffDate; Fatigue ;mood\r\n2026-01-01;3;7\r\n\r\n2026-01-02;;2\r\n"
    days, problems = read_diary_csv(text)
    assert problems == []
    assert days == [
        DiaryDay(date(2026, 1, 1), {"fatigue": 3, "mood": 7}),
        DiaryDay(date(2026, 1, 2), {"mood": 2}),
    ]


def test_a_multi_line_note_is_one_row_and_later_problems_name_their_own_line():
    text = HEADER + '2026-01-01,3,,0,"line one\nline two"\n2026-01-02,99,,0,\n'
    days, problems = read_diary_csv(text)
    assert days[0].notes == "line one\nline two"
    assert [(p.line, p.field) for p in problems] == [(4, "fatigue")]


def test_too_many_values_in_a_row_is_a_problem():
    days, problems = read_diary_csv("date,fatigue\n2026-01-01,3,4\n")
    assert days == [] and problems[0].line == 2 and "3 values" in problems[0].problem


def test_write_then_read_gives_the_same_days_including_formula_like_notes():
    days = [
        DiaryDay(date(2026, 1, 1), {"fatigue": 0, "sleep": 10}, True, "=SUM(A1) is not a formula"),
        DiaryDay(date(2026, 1, 2), {"mood": 4}, False, 'with "quotes", commas\nand a new line'),
        DiaryDay(date(2026, 1, 3), {}, True, ""),
    ]
    text = write_diary_csv(reversed(days))
    assert text.splitlines()[0] == (
        "date,fatigue,walking,pain,numbness,bladder,cognition,mood,sleep,relapse,notes"
    )
    assert "'=SUM(A1)" in text  # a spreadsheet shows it as text
    assert read_diary_csv(text) == (days, [])


def test_infusions_are_read_in_date_order():
    text = "date,drug\n2026-02-01,natalizumab\n2026-01-04, Natalizumab \n"
    assert read_infusions_csv(text) == [
        Infusion(date(2026, 1, 4), "natalizumab"),
        Infusion(date(2026, 2, 1), "natalizumab"),
    ]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("date,drug\n2026-01-04,natalizumab\n2026-02-01,aspirin\n", "line 3: drug"),
        ("date,drug\n2026-13-04,natalizumab\n", "line 2: date"),
        ("date,drug\n2026-01-04,natalizumab\n2026-01-04,natalizumab\n", "line 3: date"),
        ("date\n2026-01-04\n", "line 1"),
        ("", "line 1"),
    ],
)
def test_a_bad_infusion_row_is_an_error_naming_its_line(text, field):
    with pytest.raises(DiaryError) as exc:
        read_infusions_csv(text)
    assert exc.value.field == field


def test_infusions_round_trip():
    given = [Infusion(date(2026, 1, 4), "ocrelizumab"), Infusion(date(2026, 7, 4), "ocrelizumab")]
    assert read_infusions_csv(write_infusions_csv(given)) == given
