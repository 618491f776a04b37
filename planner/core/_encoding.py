"""Telling the text encoding of a table file, with checks that the text is plausible.

Order: UTF-8 (with or without BOM) when the bytes decode; GB18030/GBK (what Chinese Excel
saves) when they decode and read as plausible Chinese; otherwise the best guess of
charset-normalizer, with Windows-1252 (what Excel saves in Western locales) preferred among
single-byte guesses as good but for a little coherence. A file that is partly UTF-8 and
partly something else is an error naming its first line that is not UTF-8: no single
encoding reads it right.

In Latin-script text (accented letters inside otherwise ASCII words) a reading that puts a
symbol, a box-drawing character or a letter of another script inside a word ("Cafķ └ndorra",
"S\u5c71o") is dropped before the others are weighed: charset-normalizer can find such a
reading less chaotic than the right one on a short table.

A single-byte file is a guess: a short table of Baltic names (Windows-1257) can read as
Windows-1252, which this order prefers; UTF-8 is never a guess.
"""

from __future__ import annotations

import re
import unicodedata

from charset_normalizer import from_bytes

from .errors import InputError

#: What Excel saves in Western locales; preferred among equally good single-byte guesses.
WESTERN = "cp1252"
#: How much more coherent (charset-normalizer's language fit, 0-1) another single-byte
#: reading must be to win over Windows-1252: on a table with a few accented names the fit
#: of each code page differs by a few hundredths ("Farmàcia" read as Windows-1257
#: "Farmącia" fits Polish 0.68 against Italian 0.63), while a file written in Central or
#: Baltic European text fits its own language far better than any misreading.
_COHERENCE_MARGIN = 0.1
#: Share of Han characters outside GB2312 (rare names) a genuine GBK file may hold.
_RARE_HAN_SHARE = 0.3
#: A Han character between two Latin letters: Latin text read as GBK ("M眉ller").
_SANDWICHED = re.compile(r"[A-Za-z][\u3400-\u9fff][A-Za-z]")
#: Non-letters that may sit inside or at the edge of a Latin word (apostrophes, the Catalan
#: middle dot, ordinal indicators, trademark and degree signs).
_IN_WORD_MARKS = frozenset("\u2019\u2018\u02bc\u00b7\u00aa\u00ba\u00ae\u2122\u00b0")
#: Runs of at most this many non-ASCII bytes touching an ASCII letter: accented letters of
#: Latin-script words; Cyrillic or Greek words are longer runs of their own.
_LATIN_RUN = 2
_SAVE_UTF8 = "save the file as UTF-8 (Excel: 另存为 CSV UTF-8)"


def decode_table_text(data: bytes, source: str) -> tuple[str, str]:
    """The text of a table file's bytes and the encoding it was read in.

    Raises :class:`InputError` naming ``source`` when the file mixes UTF-8 with another
    encoding or when no encoding reads it.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and plausible_chinese(text):
        return text, "gb18030"
    mixed = _first_line_not_utf8(data)
    if mixed is not None:
        raise InputError(
            f"{source} mixes encodings: some lines are UTF-8 but line {mixed} is not (another "
            f"encoding, such as GBK or Latin-1, pasted in); {_SAVE_UTF8}"
        )
    encoding = _best_guess(data)
    if encoding is None:
        raise InputError(f"{source}: cannot tell the text encoding; {_SAVE_UTF8}")
    return data.decode(encoding), encoding


def plausible_chinese(text: str) -> bool:
    """Whether ``text`` (decoded as GB18030) reads as Chinese, not as another encoding's
    bytes: its non-ASCII characters are Han characters and CJK or full-width punctuation
    (no private-use or control characters), mostly in the common set (GB2312), and no Han
    character stands alone between Latin letters."""
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide or _SANDWICHED.search(text):
        return False
    rare = 0
    for c in wide:
        if unicodedata.category(c) in ("Co", "Cc", "Cn", "Cs"):
            return False
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            if not _is_han(c):
                return False
            rare += 1
    return rare <= _RARE_HAN_SHARE * len(wide)


def _is_han(c: str) -> bool:
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def _first_line_not_utf8(data: bytes) -> int | None:
    """The number (from 1) of the first line that is not UTF-8 when another line holds
    non-ASCII UTF-8 text, else None (the file is in one encoding)."""
    first_bad: int | None = None
    utf8_seen = False
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
            utf8_seen = True
        except UnicodeDecodeError:
            first_bad = first_bad or number
        if utf8_seen and first_bad is not None:
            return first_bad
    return None


def _best_guess(data: bytes) -> str | None:
    """charset-normalizer's guess: the least chaotic reading; among equally good ones
    Windows-1252 unless another is clearly more coherent (:data:`_COHERENCE_MARGIN`), else
    the most coherent, then one with a known language."""
    matches = list(from_bytes(data))
    if latin_script(data):
        shaped = [m for m in matches if latin_words(str(m))]
        if not shaped and _decodes_as_latin_words(data):
            return WESTERN
        matches = shaped or matches
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    good = [(i, m) for i, m in enumerate(matches) if m.chaos <= least + 0.01]
    top = max(m.coherence for _, m in good)
    # charset-normalizer lists a reading once, under one of the code pages giving that text
    western = [m for _, m in good if WESTERN in (m.encoding, *m.could_be_from_charset)]
    if western and western[0].coherence >= top - _COHERENCE_MARGIN:
        return WESTERN  # a few accented names: coherence cannot tell the code pages apart
    best = min(
        good,
        key=lambda im: (
            -round(im[1].coherence, 2),
            im[1].language == "Unknown",
            im[0],
        ),
    )
    return str(best[1].encoding)


def latin_script(data: bytes) -> bool:
    """Whether most non-ASCII bytes of ``data`` are accented letters of Latin-script words:
    runs of at most :data:`_LATIN_RUN` bytes touching an ASCII letter."""
    runs = [m.span() for m in re.finditer(rb"[\x80-\xff]+", data)]
    in_words = sum(
        end - start
        for start, end in runs
        if end - start <= _LATIN_RUN
        and (data[start - 1 : start].isalpha() or data[end : end + 1].isalpha())
    )
    return bool(runs) and 2 * in_words >= sum(end - start for start, end in runs)


def latin_words(text: str) -> bool:
    """Whether every non-ASCII character of ``text`` next to an ASCII letter is a Latin
    letter, a combining mark, a space or a mark of :data:`_IN_WORD_MARKS` (no symbol,
    box-drawing character or letter of another script inside a Latin word)."""
    for i, c in enumerate(text):
        if c.isascii() or not (
            _ascii_letter(text[i - 1 : i]) or _ascii_letter(text[i + 1 : i + 2])
        ):
            continue
        category = unicodedata.category(c)
        if c in _IN_WORD_MARKS or category[0] == "M" or category in ("Zs", "Pd", "Pi", "Pf"):
            continue
        if not (category[0] == "L" and unicodedata.name(c, "").startswith("LATIN")):
            return False
    return True


def _ascii_letter(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _decodes_as_latin_words(data: bytes) -> bool:
    try:
        return latin_words(data.decode(WESTERN))
    except UnicodeDecodeError:
        return False
