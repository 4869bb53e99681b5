"""The fonts the app renders with cover every Vietnamese letter (quiz/fonts.py)."""
import pytest
from PIL import ImageFont

from quiz.fonts import font_files, font_path

VIETNAMESE = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
VIETNAMESE += VIETNAMESE.upper()


@pytest.mark.parametrize("family", ["sans", "serif"])
@pytest.mark.parametrize("weight", ["regular", "bold"])
def test_every_vietnamese_letter_has_a_glyph(family, weight):
    font = ImageFont.truetype(str(font_path(family, weight)), 40)
    missing = font.getmask("\U0010fffd").getbbox()  # a code point no font has: the .notdef box
    for letter in VIETNAMESE:
        assert font.getmask(letter).getbbox() != missing or letter.isspace(), letter


def test_served_files_exist():
    files = font_files()
    assert len(files) == 4
    assert all(path.is_file() and name.endswith(".ttf") for name, path in files.items())
