"""GSTIN format and check character."""

from smartretail.documents import gstin


def test_published_gstins_are_valid_and_a_changed_check_character_is_caught():
    assert gstin.problem("27AAPFU0939F1ZV") is None
    assert gstin.problem("29 AAGCB 7383J 1Z4") is None  # spaces as people type them
    assert "check character" in gstin.problem("27AAPFU0939F1ZW")


def test_made_gstins_validate_and_every_single_character_slip_in_the_body_is_caught():
    number = gstin.make("33", "ABCPD1234E", "2")
    assert gstin.problem(number) is None
    for i in range(14):
        for replacement in "0A":
            if number[i] != replacement:
                slipped = number[:i] + replacement + number[i + 1:]
                assert gstin.problem(slipped) is not None, slipped


def test_format_and_state_code_problems_are_named():
    assert "15" in gstin.problem("27AAPFU0939F1Z")
    assert "pattern" in gstin.problem("27AAPF10939F1ZV")
    assert "state code" in gstin.problem(gstin.make("45", "AAPFU0939F"))


def test_ocr_confusions_are_undone_only_where_the_position_allows():
    assert gstin.repair("2OAAPFU0939F1ZV".replace("2O", "27").replace("0939", "O939")) == "27AAPFU0939F1ZV"
    assert gstin.repair("33XMAPQ6B23F32A") == "33XMAPQ6823F3ZA"  # B in a digit place, 2 where Z belongs
