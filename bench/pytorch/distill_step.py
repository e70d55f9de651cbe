"""The trainer-step benchmark's PyTorch side: the same two epochs as the C# bare loop (attention KL + [CLS] cosine on
layer pairs (1,2), (2,4), (3,6), then soft-label KD), same model shapes and batches, AdamW, clipping at 1.0.
Usage: python3 distill_step.py BATCHES.json  → prints {"seconds": S}."""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MASK = -10000.0


class Layer(nn.Module):
    def __init__(self, h, i, heads):
        super().__init__()
        self.heads, self.size = heads, h // heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.norm1, self.norm2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
        self.up, self.down = nn.Linear(h, i), nn.Linear(i, h)

    def forward(self, x, mask):
        b, n, _ = x.shape
        split = lambda t: t.view(b, n, self.heads, self.size).transpose(1, 2)
        scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(self.size) + mask
        log_probs = F.log_softmax(scores, dim=-1)
        context = (log_probs.exp() @ split(self.v(x))).transpose(1, 2).reshape(b, n, -1)
        x = self.norm1(self.o(context) + x)
        return self.norm2(self.down(F.gelu(self.up(x))) + x), log_probs


class Bert(nn.Module):
    def __init__(self, vocab, h, i, heads, layers):
        super().__init__()
        self.words, self.positions, self.types = nn.Embedding(vocab, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.norm = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(Layer(h, i, heads) for _ in range(layers))
        self.pooler, self.classifier = nn.Linear(h, h), nn.Linear(h, 2)

    def forward(self, ids, mask):
        x = self.norm(self.words(ids) + self.positions(torch.arange(ids.shape[1]))[None] + self.types(torch.zeros_like(ids)))
        additive = (1.0 - mask)[:, None, None, :] * MASK
        cls, attentions = [x[:, 0]], [None]
        for layer in self.layers:
            x, log_probs = layer(x, additive)
            cls.append(x[:, 0])
            attentions.append(log_probs)
        return self.classifier(torch.tanh(self.pooler(x[:, 0]))), cls, attentions


def attention_kl(teacher_log, student_log, mask):
    p = teacher_log.exp()
    rows = torch.where(p > 0, p * (teacher_log - student_log), torch.zeros_like(p)).sum(-1)
    return ((rows * mask[:, None, :]).sum(-1) / mask.sum(-1, keepdim=True).clamp_min(1)).mean()


def main(path):
    spec = json.load(open(path))
    # Debian's build starts with one thread here; use every core, as TorchSharp does.
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(1)
    teacher = Bert(spec["vocab"], spec["hidden"], spec["intermediate"], spec["heads"], 6).eval()
    student = Bert(spec["vocab"], spec["hidden"], spec["intermediate"], spec["heads"], 3).train()
    optimizer = torch.optim.AdamW(student.parameters(), lr=5e-5)
    pairs = [(1, 2), (2, 4), (3, 6)]
    start = time.perf_counter()
    for internal in (True, False):
        for rows in spec["batches"]:
            length = max(len(r) for r in rows)
            ids = torch.tensor([r + [spec["pad"]] * (length - len(r)) for r in rows])
            mask = torch.tensor([[1.0] * len(r) + [0.0] * (length - len(r)) for r in rows])
            with torch.no_grad():
                t_logits, t_cls, t_att = teacher(ids, mask)
            s_logits, s_cls, s_att = student(ids, mask)
            if internal:
                loss = sum(attention_kl(t_att[t], s_att[s], mask) + (1 - F.cosine_similarity(s_cls[s], t_cls[t], dim=-1)).mean() for s, t in pairs)
            else:
                loss = (F.softmax(t_logits, -1) * (F.log_softmax(t_logits, -1) - F.log_softmax(s_logits, -1))).sum(-1).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
            optimizer.step()
    print(json.dumps({"seconds": time.perf_counter() - start, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(sys.argv[1])
