"""The fonts the server itself renders with and serves: Source Sans Pro and Source Serif Pro.

Both come from PyPI packages (``font-source-sans-pro``, ``font-source-serif-pro``), installed with
the app by ``make run``, so print pages, certificates and share cards never depend on what fonts
the machine happens to have. Both are under the SIL Open Font License and cover every Vietnamese
letter with its tone marks (checked in tests/test_fonts.py).

``font_path("serif", "bold")`` gives a TrueType file for Pillow or a PDF library;
``font_files()`` lists what the app serves at ``/fonts/<name>`` for the print pages (quiz/views/fonts.py).
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

_PACKAGES = {"sans": ("font_source_sans_pro", "SourceSansPro"), "serif": ("font_source_serif_pro", "SourceSerifPro")}
_WEIGHTS = {"regular": "Regular", "bold": "Bold", "italic": "It", "semibold": "Semibold"}
# The names the print pages' CSS gives them (@font-face rules: quiz/views/fonts.py).
CSS_FAMILIES = {"sans": "Source Sans Pro", "serif": "Source Serif Pro"}


@cache
def font_path(family: str = "sans", weight: str = "regular") -> Path:
    """The .ttf file of ``family`` (sans|serif) in ``weight`` (regular|bold|italic|semibold)."""
    package, stem = _PACKAGES[family]
    path = resources.files(package).joinpath("files", f"{stem}-{_WEIGHTS[weight]}.ttf")
    return Path(str(path))


# What the app serves: both families upright and bold. Not the italics: they lack most Vietnamese
# letters (ơ, ư, ạ, ả… — tests/test_fonts.py), so a browser would take those from another font;
# the report's italic lines are the regular slanted by the browser, every letter from one font.
_SERVED = {"sans": ("regular", "bold"), "serif": ("regular", "bold")}
_CSS_FACE = {"regular": (400, "normal"), "bold": (700, "normal")}


def font_files() -> dict[str, Path]:
    """Public file name → path of every font the app serves."""
    return {font_path(family, weight).name: font_path(family, weight)
            for family, weights in _SERVED.items() for weight in weights}


def font_faces() -> list[tuple[str, int, str, str]]:
    """(CSS family, CSS weight, CSS style, file name) of each served font, for @font-face rules."""
    return [(CSS_FAMILIES[family], *_CSS_FACE[weight], font_path(family, weight).name)
            for family, weights in _SERVED.items() for weight in weights]
