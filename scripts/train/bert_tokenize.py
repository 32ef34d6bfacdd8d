"""A Python mirror of the BERT-style tokenizer that transformers.js runs from our tokenizer.json.

The shipped tokenizer.json is a stock `BertNormalizer` + `BertPreTokenizer` + `WordPiece` pipeline, the same
one bert-base-chinese uses: CJK characters become single tokens, other text splits on whitespace and
punctuation, and words go through greedy longest-match WordPiece. Training tokenizes with this mirror, so the
mirror must match transformers.js exactly; scripts/train/verify_export.mjs checks that it does, on thousands
of real texts, before a model is accepted.

Mirrors @huggingface/tokenizers (BertNormalizer, BertPreTokenizer, WordPieceTokenizer), including its quirks:
the CJK test runs per UTF-16 code unit (astral CJK characters are therefore not isolated), lower-casing is
followed by NFD + removal of non-spacing marks.
"""

from __future__ import annotations

import unicodedata

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator).
_JS_WHITESPACE = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_CONTROL_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cs"))


def _is_bmp_cjk(cp: int) -> bool:
    # The BMP part of BERT's CJK ranges: transformers.js tests UTF-16 code units, so astral ranges never match.
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 0x21 <= cp <= 0x2F or 0x3A <= cp <= 0x40 or 0x5B <= cp <= 0x60 or 0x7B <= cp <= 0x7E:
        return True
    return unicodedata.category(ch).startswith("P")


def normalize(text: str) -> str:
    """BertNormalizer with clean_text, handle_chinese_chars and lowercase on (strip_accents follows lowercase)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch not in "\t\n\r" and unicodedata.category(ch) in _CONTROL_CATEGORIES:
            continue
        out.append(" " if ch in _JS_WHITESPACE else ch)
    cleaned = "".join(out)
    spaced = []
    for ch in cleaned:
        if _is_bmp_cjk(ord(ch)):
            spaced.append(" ")
            spaced.append(ch)
            spaced.append(" ")
        else:
            spaced.append(ch)
    lowered = "".join(spaced).lower()
    decomposed = unicodedata.normalize("NFD", lowered)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def pre_tokenize(text: str) -> list[str]:
    """BertPreTokenizer: runs of non-space non-punctuation, and single punctuation characters."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in _JS_WHITESPACE:
            if current:
                words.append("".join(current))
                current = []
        elif _is_punctuation(ch):
            if current:
                words.append("".join(current))
                current = []
            words.append(ch)
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words


class WordPiece:
    """Greedy longest-match-first WordPiece, exactly as transformers.js runs it."""

    def __init__(self, vocab: dict[str, int], unk_token: str = "[UNK]", prefix: str = "##", max_chars: int = 100):
        self.vocab = vocab
        self.unk_id = vocab[unk_token]
        self.prefix = prefix
        self.max_chars = max_chars
        self.max_piece = max(len(t) for t in vocab)

    def encode_word(self, word: str, out: list[int]) -> None:
        chars = list(word)
        if len(chars) > self.max_chars:
            out.append(self.unk_id)
            return
        pieces: list[int] = []
        start = 0
        while start < len(chars):
            end = min(len(chars), start + self.max_piece)
            found = None
            while start < end:
                piece = "".join(chars[start:end])
                if start > 0:
                    piece = self.prefix + piece
                idx = self.vocab.get(piece)
                if idx is not None:
                    found = idx
                    break
                end -= 1
            if found is None:
                out.append(self.unk_id)
                return
            pieces.append(found)
            start = end
        out.extend(pieces)


class BertTokenizer:
    def __init__(self, vocab: dict[str, int], max_length: int):
        self.vocab = vocab
        self.wordpiece = WordPiece(vocab)
        self.cls_id = vocab["[CLS]"]
        self.sep_id = vocab["[SEP]"]
        self.max_length = max_length

    def encode(self, text: str) -> list[int]:
        """[CLS] tokens [SEP], truncated like transformers.js (`truncation: true` → model_max_length).

        transformers.js truncates AFTER adding the special tokens, so a long text loses its final [SEP]; the model
        is trained on exactly that.
        """
        ids: list[int] = [self.cls_id]
        for word in pre_tokenize(normalize(text)):
            self.wordpiece.encode_word(word, ids)
        ids.append(self.sep_id)
        return ids[: self.max_length]


def tokenizer_json(vocab: dict[str, int], max_length: int) -> dict:
    """The tokenizer.json that transformers.js (and Hugging Face `tokenizers`) load."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": max_length, "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": [
            {
                "id": vocab[t],
                "content": t,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for t in specials
        ],
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": True,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [vocab["[CLS]"]], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [vocab["[SEP]"]], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": vocab,
        },
    }


def tokenizer_config_json(max_length: int) -> dict:
    return {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "tokenize_chinese_chars": True,
        "strip_accents": None,
        "model_max_length": max_length,
        "padding_side": "right",
        "truncation_side": "right",
        "unk_token": "[UNK]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "cls_token": "[CLS]",
        "mask_token": "[MASK]",
        "clean_up_tokenization_spaces": True,
    }
