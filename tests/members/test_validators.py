import pytest
from django.core.exceptions import ValidationError

from members.validators import normalize_orcid, orcid_check_digit, validate_orcid


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"]
)
def test_valid_orcid_ids_pass(orcid):
    validate_orcid(orcid)


def test_check_digit_x_stands_for_ten():
    assert orcid_check_digit("000000021694233") == "X"


@pytest.mark.parametrize(
    ("orcid", "code"),
    [
        ("0000-0002-1825-0098", "orcid_checksum"),
        ("0000-0002-1694-2330", "orcid_checksum"),
        ("0000-0002-1825-009", "orcid_format"),
        ("0000-0002-1825-00977", "orcid_format"),
        ("abcd-0002-1825-0097", "orcid_format"),
        ("", "orcid_format"),
    ],
)
def test_bad_orcid_ids_are_rejected_with_the_reason(orcid, code):
    with pytest.raises(ValidationError) as caught:
        validate_orcid(orcid)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "typed",
    [
        "https://orcid.org/0000-0002-1825-0097",
        "http://orcid.org/0000-0002-1825-0097",
        "orcid.org/0000-0002-1825-0097",
        "0000000218250097",
        " 0000-0002-1825-0097 ",
    ],
)
def test_orcid_ids_are_normalized(typed):
    assert normalize_orcid(typed) == "0000-0002-1825-0097"
