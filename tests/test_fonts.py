"""The fonts the app renders with cover every Vietnamese letter (quiz/fonts.py)."""
import pytest
from PIL import ImageFont

from quiz.fonts import font_files, font_path

VIETNAMESE = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
VIETNAMESE += VIETNAMESE.upper()


def _missing(path) -> list[str]:
    font = ImageFont.truetype(str(path), 40)
    notdef = bytes(font.getmask("\U0010fffd"))  # a code point no font has: the .notdef box
    return [letter for letter in VIETNAMESE if bytes(font.getmask(letter)) == notdef]


@pytest.mark.parametrize("name", sorted(font_files()))
def test_every_served_font_has_every_vietnamese_letter(name):
    assert _missing(font_files()[name]) == []


def test_the_italics_are_not_served_they_lack_vietnamese_letters():
    """Why quiz.fonts serves no italic: a browser would take ơ, ư, ạ… from another font."""
    assert "ơ" in _missing(font_path("serif", "italic"))
    assert not any("It" in name for name in font_files())


def test_served_files_exist():
    files = font_files()
    assert sorted(files) == ["SourceSansPro-Bold.ttf", "SourceSansPro-Regular.ttf", "SourceSerifPro-Bold.ttf",
                             "SourceSerifPro-Regular.ttf"]
    assert all(path.is_file() and name.endswith(".ttf") for name, path in files.items())
