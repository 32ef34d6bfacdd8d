"""The network: a small character transformer with a hashed n-gram ("wide") bypass.

Two branches read the same token ids and their logits are blended with a weight chosen on the dev split:

* deep: token embedding + hashed character-bigram embedding + learned positions → pre-LN transformer
  encoder → masked mean pool → linear head. The bigram embedding gives every position a view of the
  two-character words that carry most meaning in Chinese, which a from-scratch character model otherwise has
  to learn from too little data.
* wide: a fastText-style linear model over hashed uni-, bi- and trigrams of token ids (sum / sqrt(count)),
  i.e. the character n-gram logistic regression, inside the graph.

Everything (hashing included) is plain integer and float tensor arithmetic so that it exports to ONNX and runs
unchanged in onnxruntime via transformers.js: the graph takes `input_ids` and `attention_mask` (int64 [B, T])
and returns `logits` [B, 2], like any Hugging Face sequence-classification export.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def largest_prime_below(n: int) -> int:
    def is_prime(k: int) -> bool:
        if k < 2:
            return False
        for p in range(2, int(math.isqrt(k)) + 1):
            if k % p == 0:
                return False
        return True

    k = n - 1
    while not is_prime(k):
        k -= 1
    return k


def _shift_codes(ids: torch.Tensor, mask: torch.Tensor, base: int):
    """Bigram and trigram codes ending at each position ≥ 1 / ≥ 2, with their validity masks (float)."""
    prev = ids[:, :-1]
    cur = ids[:, 1:]
    bi = prev * base + cur
    bi_valid = (mask[:, :-1] * mask[:, 1:]).to(torch.float32)
    tri = (ids[:, :-2] * base + ids[:, 1:-1]) * base + ids[:, 2:]
    tri_valid = (mask[:, :-2] * mask[:, 1:-1] * mask[:, 2:]).to(torch.float32)
    return bi, bi_valid, tri, tri_valid


class NgramBranch(nn.Module):
    """Linear model over hashed token n-grams: the n-gram logistic regression as a graph."""

    def __init__(self, vocab_size: int, buckets: int, num_labels: int = 2):
        super().__init__()
        self.base = vocab_size
        self.buckets = buckets
        self.uni = nn.Embedding(vocab_size, num_labels)
        self.bi = nn.Embedding(buckets, num_labels)
        self.tri = nn.Embedding(buckets, num_labels)
        self.bias = nn.Parameter(torch.zeros(num_labels))
        for emb in (self.uni, self.bi, self.tri):
            nn.init.zeros_(emb.weight)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        maskf = mask.to(torch.float32)
        bi, bi_valid, tri, tri_valid = _shift_codes(ids, mask, self.base)
        total = (self.uni(ids) * maskf.unsqueeze(-1)).sum(1)
        total = total + (self.bi(torch.remainder(bi, self.buckets)) * bi_valid.unsqueeze(-1)).sum(1)
        total = total + (self.tri(torch.remainder(tri * 31 + 7, self.buckets)) * tri_valid.unsqueeze(-1)).sum(1)
        count = maskf.sum(1) + bi_valid.sum(1) + tri_valid.sum(1)
        return total / torch.sqrt(count.clamp(min=1.0)).unsqueeze(-1) + self.bias


class EncoderLayer(nn.Module):
    """Pre-LN transformer layer written with plain ops (exports to any ONNX opset ≥ 11)."""

    def __init__(self, d: int, heads: int, ff: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.dh = d // heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, attn_bias: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        h = self.ln1(x)
        q, k, v = self.qkv(h).split(d, dim=-1)
        q = q.reshape(b, t, self.heads, self.dh).transpose(1, 2)
        k = k.reshape(b, t, self.heads, self.dh).transpose(1, 2)
        v = v.reshape(b, t, self.heads, self.dh).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dh)) + attn_bias
        attn = self.drop(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(attn, v).transpose(1, 2).reshape(b, t, d)
        x = x + self.drop(self.out(ctx))
        x = x + self.drop(self.ff2(F.gelu(self.ff1(self.ln2(x)))))
        return x


class DeepBranch(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        max_len: int,
        d: int,
        layers: int,
        heads: int,
        ff: int,
        bigram_buckets: int,
        bigram_dim: int,
        dropout: float,
        num_labels: int = 2,
    ):
        super().__init__()
        self.base = vocab_size
        self.bigram_buckets = bigram_buckets
        self.tok = nn.Embedding(vocab_size, d)
        self.pos = nn.Embedding(max_len, d)
        self.big = nn.Embedding(bigram_buckets, bigram_dim)
        self.big_proj = nn.Linear(bigram_dim, d, bias=False)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList([EncoderLayer(d, heads, ff, dropout) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, num_labels)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        nn.init.normal_(self.big.weight, std=0.02)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t = ids.shape
        maskf = mask.to(torch.float32)
        positions = torch.arange(t, device=ids.device).unsqueeze(0)
        bi = torch.remainder(ids[:, :-1] * self.base + ids[:, 1:], self.bigram_buckets)
        bi_emb = self.big_proj(self.big(bi)) * (maskf[:, :-1] * maskf[:, 1:]).unsqueeze(-1)
        bi_emb = torch.cat([torch.zeros_like(bi_emb[:, :1]), bi_emb], dim=1)
        x = self.drop(self.tok(ids) + self.pos(positions) + bi_emb)
        attn_bias = ((1.0 - maskf) * -1e4).unsqueeze(1).unsqueeze(1)
        for layer in self.layers:
            x = layer(x, attn_bias)
        x = self.ln(x)
        pooled = (x * maskf.unsqueeze(-1)).sum(1) / maskf.sum(1, keepdim=True).clamp(min=1.0)
        return self.head(self.drop(pooled))


class Blend(nn.Module):
    """The exported model: logits = w · deep + (1 − w) · wide."""

    def __init__(self, deep: DeepBranch, wide: NgramBranch, deep_weight: float):
        super().__init__()
        self.deep = deep
        self.wide = wide
        self.deep_weight = float(deep_weight)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.deep_weight * self.deep(input_ids, attention_mask) + (1.0 - self.deep_weight) * self.wide(
            input_ids, attention_mask
        )
