"""Telegram's HTML parse mode: refuse what Telegram refuses, yield the text the user sees.

A hand-written loop after Telegram's own parser (tdlib ``parse_html``): the same allowed
tags, the same error reasons with UTF-8 byte offsets, entities in UTF-16 code units, and
leading and trailing whitespace trimmed as Telegram trims it.

One deliberate difference: Telegram keeps a bare ``&`` that starts no entity as a literal
character, while the Bot API documentation says it must be escaped. The emulator refuses it
in text (``Unescaped "&" at byte offset N``) so a missing ``html.escape`` is caught in tests.
Attribute values stay lenient (a URL's ``a=1&b=2`` passes), as in Telegram.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

Entity = dict[str, object]

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "blockquote",
        "span",
        "tg-spoiler",
        "tg-emoji",
    }
)

_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + ".-")


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; ``reason`` follows "can't parse entities: "."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FormattedText:
    """Plain text as the user sees it and its entities (offsets in UTF-16 units)."""

    text: str
    entities: tuple[Entity, ...] = field(default_factory=tuple)


@dataclass
class _OpenTag:
    name: str
    argument: str | None
    offset: int


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram counts offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at pos; return the character and the end position, or None."""
    match = _ENTITY.match(source, pos)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def trim(text: str, entities: tuple[Entity, ...]) -> FormattedText:
    """Strip leading and trailing whitespace as Telegram does, moving entities along."""
    stripped = text.strip()
    if stripped == text:
        return FormattedText(text, entities)
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        offset, length = _int(entity["offset"]), _int(entity["length"])
        start = max(0, offset - lead)
        end = min(size, offset - lead + length)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, tuple(kept))


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML; raise HtmlParseError with Telegram's reason if it is refused."""
    return _Parser(source).run()


def _without_code_language(entity: Entity) -> Entity:
    """Drop the language a code entity carries only to hand it to an enclosing pre."""
    if entity["type"] != "code" or "language" not in entity:
        return entity
    return {key: value for key, value in entity.items() if key != "language"}


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


class _Parser:
    """One pass over the source, tag by tag."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def run(self) -> FormattedText:
        """Parse the whole source."""
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "&":
                self._entity()
            elif char != "<":
                self._emit(char)
                self.pos += 1
            elif self.pos + 1 < len(src) and src[self.pos + 1] == "/":
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        cleaned = [_without_code_language(entity) for entity in self.entities]
        ordered = sorted(cleaned, key=lambda e: (_int(e["offset"]), -_int(e["length"])))
        return trim("".join(self.out), tuple(ordered))

    def _byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode("utf-8", "surrogatepass"))

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def _entity(self) -> None:
        decoded = decode_entity(self.src, self.pos)
        if decoded is None:
            raise HtmlParseError(f'Unescaped "&" at byte offset {self._byte_offset(self.pos)}')
        char, self.pos = decoded
        self._emit(char)

    def _unclosed(self, lt: int) -> HtmlParseError:
        return HtmlParseError(f"Unclosed start tag at byte offset {self._byte_offset(lt)}")

    def _start_tag(self) -> None:
        src, lt = self.src, self.pos
        i = lt + 1
        while i < len(src) and not src[i].isspace() and src[i] != ">":
            i += 1
        if i >= len(src):
            raise self._unclosed(lt)
        name = src[lt + 1 : i].lower()
        if name not in ALLOWED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(lt)}'
            )
        attributes, i = self._attributes(name, lt, i)
        argument = self._argument(name, attributes, lt)
        self.stack.append(_OpenTag(name, argument, self.utf16))
        self.pos = i + 1

    def _attributes(self, tag: str, lt: int, i: int) -> tuple[dict[str, str], int]:
        src = self.src
        attributes: dict[str, str] = {}
        while True:
            i = self._skip_space(i)
            if i >= len(src):
                raise self._unclosed(lt)
            if src[i] == ">":
                return attributes, i
            start = i
            while i < len(src) and not src[i].isspace() and src[i] not in "=>/\"'":
                i += 1
            name = src[start:i].lower()
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self._byte_offset(lt)}"
                )
            i = self._skip_space(i)
            if i >= len(src):
                raise self._unclosed(lt)
            if src[i] != "=":
                attributes[name] = ""
                continue
            i = self._skip_space(i + 1)
            if i >= len(src):
                raise self._unclosed(lt)
            value, i = self._attribute_value(lt, i)
            attributes[name] = value

    def _attribute_value(self, lt: int, i: int) -> tuple[str, int]:
        src = self.src
        if src[i] in "\"'":
            quote, i = src[i], i + 1
            chars: list[str] = []
            while i < len(src) and src[i] != quote:
                decoded = decode_entity(src, i) if src[i] == "&" else None
                if decoded is None:
                    chars.append(src[i])
                    i += 1
                else:
                    chars.append(decoded[0])
                    i = decoded[1]
            if i >= len(src):
                raise self._unclosed(lt)
            return "".join(chars), i + 1
        start = i
        while i < len(src) and src[i] in _TOKEN_CHARS:
            i += 1
        if i >= len(src):
            raise self._unclosed(lt)
        if not src[i].isspace() and src[i] != ">":
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {self._byte_offset(i)}"
            )
        return src[start:i].lower(), i

    def _skip_space(self, i: int) -> int:
        while i < len(self.src) and self.src[i].isspace():
            i += 1
        return i

    def _argument(self, tag: str, attributes: dict[str, str], lt: int) -> str | None:
        if tag == "a":
            return attributes.get("href")
        if tag == "code":
            css = attributes.get("class", "")
            return css.removeprefix("language-") if css.startswith("language-") else None
        if tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{self._byte_offset(lt)}"
                )
            return None
        if tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id", "")
            if not emoji_id.isdigit():
                raise HtmlParseError("Invalid custom emoji identifier specified")
            return emoji_id
        if tag == "blockquote":
            return "expandable" if "expandable" in attributes else None
        return None

    def _end_tag(self) -> None:
        src, lt = self.src, self.pos
        i = lt + 2
        while i < len(src) and not src[i].isspace() and src[i] != ">":
            i += 1
        name = src[lt + 2 : i].lower()
        i = self._skip_space(i)
        if i >= len(src) or src[i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self._byte_offset(lt)}")
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self._byte_offset(lt)}")
        top = self.stack[-1]
        if name and name != top.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self._byte_offset(lt)}, "
                f'expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.pos = i + 1
        self._close(top)

    def _close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0:
            return
        entity = self._entity_for(tag, length)
        if entity is not None:
            self.entities.append(entity)

    def _entity_for(self, tag: _OpenTag, length: int) -> Entity | None:
        base: Entity = {"offset": tag.offset, "length": length}
        if tag.name in _SIMPLE_TYPES:
            extra = {"language": tag.argument} if tag.name == "code" and tag.argument else {}
            return {"type": _SIMPLE_TYPES[tag.name], **base, **extra}
        if tag.name == "a":
            return {"type": "text_link", **base, "url": tag.argument} if tag.argument else None
        if tag.name == "tg-emoji":
            return {"type": "custom_emoji", **base, "custom_emoji_id": tag.argument}
        if tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            return {"type": kind, **base}
        return self._pre(base)

    def _pre(self, base: Entity) -> Entity:
        last = self.entities[-1] if self.entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == base["offset"]
            and last["length"] == base["length"]
        ):
            self.entities.pop()
            language = last.get("language")
            return {"type": "pre", **base, **({"language": language} if language else {})}
        return {"type": "pre", **base}
