"""HTML question text (Moodle, GIFT [html]) to safe plain text."""
from __future__ import annotations

import re
from html.parser import HTMLParser

_BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"}
_DROP = {"script", "style", "head", "title"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _DROP:
            self.dropping += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _DROP:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.dropping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Tags dropped (and script/style content with them), entities decoded."""
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is belt and braces
        return html
    # Source HTML line breaks are formatting, not content: only tags break lines.
    text = "".join(p if p == "\n" else " ".join(p.split("\n")) for p in parser.parts)
    # Adjacent block tags (</p><p>) would otherwise leave empty lines.
    return re.sub(r"\s*\n\s*", "\n", text).strip()


_MEDIA_TAGS = {"img", "audio", "video", "source", "embed", "object", "a", "track"}


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in _MEDIA_TAGS:
            return
        values = dict(attrs)
        src = values.get("src") or values.get("href") or values.get("data") or ""
        if src:
            self.refs.append((tag, src.strip(), (values.get("alt") or "").strip()))

    handle_startendtag = handle_starttag


def embedded_refs(html: str) -> list[tuple[str, str, str]]:
    """(tag, src, alt) of every image, audio, video or link reference in an HTML fragment."""
    parser = _Refs()
    try:
        parser.feed(html or "")
        parser.close()
    except Exception:  # lenient parser; a broken fragment simply has no references
        return []
    return parser.refs
