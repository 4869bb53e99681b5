"""Moodle XML out: multichoice and truefalse, topics as categories, images embedded as Moodle does.

Each image becomes `<img src="@@PLUGINFILE@@/name" alt="…">` in the HTML with a
`<file name="name" encoding="base64">` beside it, so Moodle (and our own reader) gets it back.
A multiple-answer question is written all-or-nothing, as this app scores it: the right options
share +100 %, the wrong ones share -100 %. Difficulty and source have no Moodle field and are
not written.
"""
from __future__ import annotations

import base64
import html
from urllib.parse import quote

from ..schema import ImageData, QuestionData

_MOODLE_FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667"}


def _html(text: str, image: ImageData | None, name: str) -> tuple[str, str]:
    """(the <text> element's CDATA, the <file> elements) of a text with an optional image."""
    body = "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))
    body = f"<p>{body}</p>" if body else ""
    files = ""
    if image is not None:
        body += (f'<p><img src="@@PLUGINFILE@@/{quote(name)}" alt="{html.escape(image.alt, quote=True)}"></p>')
        files = (f'\n      <file name="{html.escape(name, quote=True)}" path="/" encoding="base64">'
                 f'{base64.b64encode(image.data).decode("ascii")}</file>')
    return f"<![CDATA[{body}]]>", files


def _image_name(image: ImageData | None, fallback: str) -> str:
    """A file name that says nothing about correctness: the stored hash, or a neutral name."""
    if image is None:
        return ""
    if image.sha256:
        return f"{image.sha256[:16]}.webp"
    ext = image.filename.rsplit(".", 1)[-1].lower() if "." in image.filename else "img"
    return f"{fallback}.{ext}"


def _question(q: QuestionData, n: int) -> str:
    name = html.escape(" ".join(q.text.split())[:60], quote=False)
    text, files = _html(q.text, q.image, _image_name(q.image, f"q{n}"))
    feedback = "<br>".join(html.escape(line, quote=False) for line in q.explanation.split("\n"))
    feedback = f"<p>{feedback}</p>" if feedback else ""
    parts = [f'  <question type="{"truefalse" if q.kind == "true_false" else "multichoice"}">',
             f"    <name><text>{name}</text></name>",
             f'    <questiontext format="html">\n      <text>{text}</text>{files}\n    </questiontext>',
             f'    <generalfeedback format="html"><text><![CDATA[{feedback}]]></text></generalfeedback>',
             f"    <defaultgrade>{q.points}</defaultgrade>",
             "    <penalty>0.3333333</penalty>", "    <hidden>0</hidden>"]
    if q.kind == "true_false":
        truth = q.options[0].is_correct
        for value, right in (("true", truth), ("false", not truth)):
            parts.append(f'    <answer fraction="{100 if right else 0}" format="moodle_auto_format">\n'
                         f"      <text>{value}</text>\n"
                         '      <feedback format="html"><text></text></feedback>\n    </answer>')
    else:
        right = sum(1 for o in q.options if o.is_correct)
        wrong = len(q.options) - right
        parts += [f"    <single>{'true' if q.kind == 'single' else 'false'}</single>",
                  "    <shuffleanswers>true</shuffleanswers>", "    <answernumbering>abc</answernumbering>"]
        for i, o in enumerate(q.options):
            if o.is_correct:
                fraction = _MOODLE_FRACTIONS.get(right, "100")
            else:
                fraction = "0" if q.kind == "single" else "-" + _MOODLE_FRACTIONS.get(wrong, "100")
            text, files = _html(o.text, o.image, _image_name(o.image, f"q{n}-{i + 1}"))
            parts.append(f'    <answer fraction="{fraction}" format="html">\n      <text>{text}</text>{files}\n'
                         '      <feedback format="html"><text></text></feedback>\n    </answer>')
    parts.append("  </question>")
    return "\n".join(parts)


def write(questions: list[QuestionData], set_name: str = "") -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    topic = None
    for n, q in enumerate(questions, start=1):
        wanted = q.topic  # an empty topic stays empty when read back (the set name is the file's business)
        if wanted != topic:
            topic = wanted
            category = html.escape(f"$course$/top/{wanted.replace('/', '//')}" if wanted else "$course$/top",
                                   quote=False)
            out.append(f'  <question type="category">\n    <category><text>{category}</text></category>\n  </question>')
        out.append(_question(q, n))
    out.append("</quiz>")
    return ("\n".join(out) + "\n").encode("utf-8")
