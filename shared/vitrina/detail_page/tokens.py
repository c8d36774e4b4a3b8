"""Words for full-text search in any script: Latin words, and CJK as overlapping bigrams.

SQLite's FTS5 tokenisers split on spaces and punctuation, which Chinese does not use: a whole
sentence of hanzi would be one token, so "保温" would never find "真空保温杯". Indexing each
CJK run as its characters and their overlapping pairs (what Lucene's CJKAnalyzer does) finds
any substring of one or two characters, and a longer query matches as a phrase of bigrams. No
dictionary is needed, so nothing ships or downloads.
"""

from __future__ import annotations

import re
import unicodedata

# Han, Hiragana, Katakana, Hangul: scripts written without spaces between words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def index_tokens(text: str) -> str:
    """``text`` as the space-separated tokens FTS5 indexes: lower-case Latin words, CJK
    characters and bigrams (full-width forms folded by NFKC)."""
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    for word in _WORD.findall(text):
        position = 0
        for match in _CJK.finditer(word):
            tokens.extend(filter(None, [word[position:match.start()]]))
            run = match.group()
            tokens.extend(run)  # single characters: a one-character query finds them
            tokens.extend(_cjk_tokens(run) if len(run) > 1 else [])
            position = match.end()
        tokens.extend(filter(None, [word[position:]]))
    return " ".join(tokens)


def match_expression(query: str) -> str:
    """An FTS5 MATCH expression for what a user typed: every word must occur; a CJK run must
    occur as written (its bigrams as one phrase). Quoted, so no query is FTS5 syntax."""
    text = unicodedata.normalize("NFKC", query).lower()
    terms: list[str] = []
    for word in _WORD.findall(text):
        position = 0
        for match in _CJK.finditer(word):
            if word[position:match.start()]:
                terms.append(f'"{word[position:match.start()]}"*')
            terms.append('"' + " ".join(_cjk_tokens(match.group())) + '"')
            position = match.end()
        if word[position:]:
            terms.append(f'"{word[position:]}"*')
    return " AND ".join(terms)
