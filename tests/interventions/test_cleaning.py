import datetime

import pytest

from interventions import cleaning


def test_text_is_trimmed_and_non_breaking_and_repeated_spaces_are_folded():
    assert cleaning.clean_text("  Charles\xa0\xa0Michel  ") == "Charles Michel"


def test_empty_cells_become_empty_text():
    assert cleaning.clean_text(None) == ""


def test_whole_numbers_read_as_floats_keep_no_decimal_point():
    assert cleaning.clean_text(1946.0) == "1946"


def test_long_texts_keep_every_paragraph_and_lose_only_windows_line_ends():
    text = "First paragraph.\r\n\r\nSecond\xa0 paragraph.  \r\nThird."
    assert cleaning.clean_long_text(text) == "First paragraph.\n\nSecond paragraph.\nThird."


def test_very_long_texts_are_kept_whole():
    text = "word " * 20000
    assert cleaning.clean_long_text(text) == text.strip()


@pytest.mark.parametrize("value", ["1:23:45", "83:45", "5025", 5025, " 1:23:45 "])
def test_offsets_are_understood_in_every_usual_notation(value):
    assert cleaning.clean_offset(value) == 5025


def test_an_excel_time_cell_is_read_as_an_offset():
    assert cleaning.clean_offset(datetime.time(1, 23, 45)) == 5025
    assert cleaning.clean_offset(5025 / 86400) == 5025


def test_an_empty_offset_is_none():
    assert cleaning.clean_offset("") is None


@pytest.mark.parametrize("value", ["1:75:00", "12:60", "ten", "-5", "1.5"])
def test_bad_offsets_are_refused_with_the_notations_that_work(value):
    with pytest.raises(ValueError, match="1:23:45, 83:45"):
        cleaning.clean_offset(value)


def test_excel_serial_numbers_are_dates():
    assert cleaning.clean_date(44390) == datetime.date(2021, 7, 13)
    assert cleaning.clean_date("44390") == datetime.date(2021, 7, 13)


def test_excel_date_cells_and_iso_and_day_first_dates_are_dates():
    assert cleaning.clean_date(datetime.datetime(2021, 7, 13, 0, 0)) == datetime.date(2021, 7, 13)
    assert cleaning.clean_date("2021-07-13") == datetime.date(2021, 7, 13)
    assert cleaning.clean_date("13/07/2021") == datetime.date(2021, 7, 13)


def test_a_bad_date_is_refused_with_the_expected_notation():
    with pytest.raises(ValueError, match="2021-07-13"):
        cleaning.clean_date("July the 13th")


def test_years_are_four_digits():
    assert cleaning.clean_year("1946") == 1946
    with pytest.raises(ValueError, match="four digits"):
        cleaning.clean_year("46")


def test_yes_and_no_cells():
    assert cleaning.clean_bool("Yes") is True
    assert cleaning.clean_bool("x") is True
    assert cleaning.clean_bool("") is False
    with pytest.raises(ValueError, match="yes or no"):
        cleaning.clean_bool("maybe")


def test_lists_are_split_on_semicolons_and_empty_items_dropped():
    assert cleaning.split_list(" Demand;  migration\xa0policy ;") == ["Demand", "migration policy"]


def test_headers_match_whatever_their_case_spacing_or_underscores():
    assert cleaning.header_key("\ufeffName of Person\xa0Speaking ") == "name of person speaking"
    assert cleaning.header_key("speaker_name") == cleaning.header_key("Speaker Name")


def test_a_year_alone_is_its_first_of_january_flagged_as_year_only():
    assert cleaning.clean_date_or_year("1946") == (datetime.date(1946, 1, 1), True)
    assert cleaning.clean_date_or_year("2021-07-13") == (datetime.date(2021, 7, 13), False)
