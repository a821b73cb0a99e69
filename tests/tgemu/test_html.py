"""The HTML parse mode check: what Telegram refuses, and the text and entities it yields."""

from __future__ import annotations

import html

import pytest

from tgemu.html import HtmlParseError, parse_html, utf16_len


def reason(source: str) -> str:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    return caught.value.reason


def test_tags_become_entities_and_entities_are_decoded() -> None:
    parsed = parse_html("<b>Hej</b> &lt;Anna&gt; &amp; <i>dig</i> &quot;x&quot; &#65;&#x42;")
    assert parsed.text == 'Hej <Anna> & dig "x" AB'
    assert parsed.entities == (
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 13, "length": 3},
    )


def test_every_allowed_tag_is_accepted() -> None:
    source = (
        "<b>1</b><strong>2</strong><i>3</i><em>4</em><u>5</u><ins>6</ins><s>7</s>"
        "<strike>8</strike><del>9</del><a href='https://example.org/?a=1&b=2'>10</a>"
        '<code>11</code><pre>12</pre><pre><code class="language-python">13</code></pre>'
        "<blockquote>14</blockquote><blockquote expandable>15</blockquote>"
        '<span class="tg-spoiler">16</span><tg-spoiler>17</tg-spoiler>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    parsed = parse_html(source)
    assert parsed.text == "1234567891011121314151617👍"
    types = [entity["type"] for entity in parsed.entities]
    assert types == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "text_link",
        "code",
        "pre",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "spoiler",
        "spoiler",
        "custom_emoji",
    ]
    link = parsed.entities[9]
    assert link["url"] == "https://example.org/?a=1&b=2"
    assert parsed.entities[12] == {"type": "pre", "offset": 15, "length": 2, "language": "python"}


def test_tags_are_case_insensitive_and_nest() -> None:
    parsed = parse_html("<B>a<I>b</I></b>")
    assert parsed.text == "ab"
    assert parsed.entities == (
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 1, "length": 1},
    )


def test_offsets_are_utf16_units() -> None:
    parsed = parse_html("😀 <b>æøå</b>")
    assert parsed.entities == ({"type": "bold", "offset": 3, "length": 3},)
    assert utf16_len("😀") == 2


def test_whitespace_is_trimmed_and_entities_moved() -> None:
    parsed = parse_html("  \n<b> Hej </b>\n ")
    assert parsed.text == "Hej"
    assert parsed.entities == ({"type": "bold", "offset": 0, "length": 3},)


def test_python_html_escape_output_is_accepted() -> None:
    raw = 'Tom\'s <script> & "quotes"'
    assert parse_html(html.escape(raw)).text == raw


def test_unsupported_tag_reports_the_byte_offset() -> None:
    assert reason("Hej æ <foo>x</foo>") == 'Unsupported start tag "foo" at byte offset 7'
    assert reason("line<br>next") == 'Unsupported start tag "br" at byte offset 4'


def test_bare_less_than_is_refused() -> None:
    assert reason("1 < 2") == 'Unsupported start tag "" at byte offset 2'
    assert reason("a <") == "Unclosed start tag at byte offset 2"


def test_bare_ampersand_is_refused_but_valid_entities_pass() -> None:
    assert reason("R&D") == 'Unescaped "&" at byte offset 1'
    assert reason("&amp without semicolon") == 'Unescaped "&" at byte offset 0'
    assert reason("&#0;") == 'Unescaped "&" at byte offset 0'
    assert parse_html("&#9731; &#x2603;").text == "☃ ☃"


def test_unclosed_and_mismatched_tags() -> None:
    assert reason("<b>bold") == 'Can\'t find end tag corresponding to start tag "b"'
    assert reason("<b>x</i>") == (
        'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'
    )
    assert reason("x</b>") == "Unexpected end tag at byte offset 1"
    assert reason("<b>x</b") == "Unclosed end tag at byte offset 4"
    assert reason('<a href="x>y') == "Unclosed start tag at byte offset 0"


def test_attribute_rules() -> None:
    assert reason("<span>x</span>") == 'Tag "span" must have class "tg-spoiler" at byte offset 0'
    assert reason('<tg-emoji emoji-id="abc">x</tg-emoji>') == (
        "Invalid custom emoji identifier specified"
    )
    assert reason("<a href=x/y>z</a>") == "Unexpected end of name token at byte offset 9"
    assert reason('<b ="x">y</b>') == 'Empty attribute name in the tag "b" at byte offset 0'


def test_empty_elements_make_no_entity() -> None:
    parsed = parse_html("a<b></b>b<a>link</a>")
    assert parsed.text == "ablink"
    assert parsed.entities == ()
