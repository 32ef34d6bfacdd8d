#!/usr/bin/python3
"""Writes tests/unit/classify/fixtures/tiny-bert: a hand-weighted, few-kilobyte "drop-in" model in the layout
`optimum-cli export onnx --task text-classification` produces for a BERT model — three inputs (input_ids,
attention_mask, token_type_ids), a `bert` config, multi-label `problem_type` with labels that are not ours.
The tests load it through the same code path as any third-party model, proving the drop-in needs no code.

    /usr/bin/python3 scripts/train/make_test_fixture.py

Weights are set by hand so the behaviour is known: a text containing 坏 or "bad" scores high on `toxic`,
one containing 杀 or "kill" high on `threat`; `insult` stays low.
"""

from __future__ import annotations

import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_tokenize import tokenizer_config_json, tokenizer_json  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "unit", "classify", "fixtures", "tiny-bert")
LABELS = ["toxic", "insult", "threat"]
TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "坏", "杀", "好", "你", "bad", "kill", "good", "you", "##s", "a"]


class TinyBert(nn.Module):
    def __init__(self, vocab: dict[str, int]):
        super().__init__()
        d = 4
        self.word = nn.Embedding(len(vocab), d)
        self.token_type = nn.Embedding(2, d)
        self.head = nn.Linear(d, len(LABELS))
        with torch.no_grad():
            self.word.weight.zero_()
            self.token_type.weight.zero_()
            for tok in ("坏", "bad"):
                self.word.weight[vocab[tok], 0] = 6.0
            for tok in ("杀", "kill"):
                self.word.weight[vocab[tok], 2] = 6.0
            self.token_type.weight[0, 3] = 1.0  # token_type_ids are read: type 0 feeds a constant
            self.head.weight.zero_()
            self.head.weight[0, 0] = 1.0
            self.head.weight[2, 2] = 1.0
            self.head.weight[1, 3] = -1.0
            self.head.bias[:] = torch.tensor([-1.0, -1.0, -1.0])

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.word(input_ids) + self.token_type(token_type_ids)
        m = attention_mask.to(torch.float32).unsqueeze(-1)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.head(pooled)


def main() -> None:
    vocab = {t: i for i, t in enumerate(TOKENS)}
    os.makedirs(os.path.join(OUT, "onnx"), exist_ok=True)
    model = TinyBert(vocab).eval()
    ids = torch.tensor([[2, 5, 3], [2, 7, 3]])
    torch.onnx.export(
        model,
        (ids, torch.ones_like(ids), torch.zeros_like(ids)),
        os.path.join(OUT, "onnx", "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "token_type_ids")}
        | {"logits": {0: "batch"}},
        opset_version=14,
    )
    config = {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "problem_type": "multi_label_classification",
        "id2label": {str(i): l for i, l in enumerate(LABELS)},
        "label2id": {l: i for i, l in enumerate(LABELS)},
        "vocab_size": len(vocab),
        "hidden_size": 4,
        "max_position_embeddings": 64,
    }
    with open(os.path.join(OUT, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=2)
    with open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, 64), f, ensure_ascii=False, indent=2)
    with open(os.path.join(OUT, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config_json(64), f, ensure_ascii=False, indent=2)
    print(f"wrote {os.path.abspath(OUT)}")


if __name__ == "__main__":
    main()
