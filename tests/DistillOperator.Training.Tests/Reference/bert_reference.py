#!/usr/bin/python3
"""Numeric reference for the TorchSharp trainer, in plain PyTorch (Debian python3-torch; no transformers package).

A BERT for sequence classification with Hugging Face parameter names, the distillation losses, and a
dependency-free safetensors reader/writer. The C# tests run it as a separate process and compare numbers.

  bert_reference.py init MODEL_DIR SEED VOCAB HIDDEN LAYERS HEADS INTERMEDIATE LABELS MAX_POSITIONS
  bert_reference.py forward MODEL_DIR INPUTS OUTPUTS
  bert_reference.py losses INPUTS OUTPUTS
  bert_reference.py onnx MODEL_DIR OUT.onnx
"""
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

MASK_VALUE = -10000.0


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    start = 8 + length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: {name}: only F32 is supported here")
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=torch.float32)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


class Container(nn.Module):
    # Named "container", not "self": one child of BERT's attention is called "self".
    def __init__(container, **children):
        super(Container, container).__init__()
        for name, module in children.items():
            container.add_module(name, module)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, eps = c["hidden_size"], c["layer_norm_eps"]
        self.heads = c["num_attention_heads"]
        self.head_size = h // self.heads
        self.attention = Container(
            self=Container(query=nn.Linear(h, h), key=nn.Linear(h, h), value=nn.Linear(h, h)),
            output=Container(dense=nn.Linear(h, h), LayerNorm=nn.LayerNorm(h, eps=eps)))
        self.intermediate = Container(dense=nn.Linear(h, c["intermediate_size"]))
        self.output = Container(dense=nn.Linear(c["intermediate_size"], h), LayerNorm=nn.LayerNorm(h, eps=eps))

    def forward(self, x, mask):
        b, n, _ = x.shape

        def split(linear):
            return linear(x).view(b, n, self.heads, self.head_size).transpose(1, 2)

        s = self.attention.self
        scores = split(s.query) @ split(s.key).transpose(-1, -2) / math.sqrt(self.head_size) + mask
        probs = F.softmax(scores, dim=-1)
        context = (probs @ split(s.value)).transpose(1, 2).reshape(b, n, -1)
        attended = self.attention.output.LayerNorm(self.attention.output.dense(context) + x)
        out = self.output.LayerNorm(self.output.dense(F.gelu(self.intermediate.dense(attended))) + attended)
        return out, probs


class BertReference(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.bert = Container(
            embeddings=Container(
                word_embeddings=nn.Embedding(c["vocab_size"], h),
                position_embeddings=nn.Embedding(c["max_position_embeddings"], h),
                token_type_embeddings=nn.Embedding(c["type_vocab_size"], h),
                LayerNorm=nn.LayerNorm(h, eps=c["layer_norm_eps"])),
            encoder=Container(layer=nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])),
            pooler=Container(dense=nn.Linear(h, h)))
        self.classifier = nn.Linear(h, c["num_labels"])

    def forward(self, ids, mask, types):
        e = self.bert.embeddings
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = e.LayerNorm(e.word_embeddings(ids) + e.position_embeddings(positions) + e.token_type_embeddings(types))
        additive = (1.0 - mask.float())[:, None, None, :] * MASK_VALUE
        hidden, attentions = [x], []
        for layer in self.bert.encoder.layer:
            x, probs = layer(x, additive)
            hidden.append(x)
            attentions.append(probs)
        logits = self.classifier(torch.tanh(self.bert.pooler.dense(x[:, 0])))
        return logits, hidden, attentions


def load_model(folder):
    with open(f"{folder}/config.json") as f:
        config = json.load(f)
    model = BertReference(config)
    model.load_state_dict(read_safetensors(f"{folder}/model.safetensors"), strict=True)
    return model.eval()


def attention_kl(teacher_probs, student_log_probs, query_mask):
    """(1/L) Σ_i KL(A_T,i ‖ A_S,i) over valid query rows, mean over heads and batch."""
    t = teacher_probs
    row = torch.where(t > 0, t * (torch.log(t.clamp_min(1e-30)) - student_log_probs), torch.zeros_like(t)).sum(-1)
    q = query_mask.float()
    per_head = (row * q[:, None, :]).sum(-1) / q.sum(-1)[:, None]
    return per_head.mean()


def main(argv):
    command = argv[1]
    if command == "init":
        folder, seed = argv[2], int(argv[3])
        vocab, hidden, layers, heads, inter, labels, positions = map(int, argv[4:11])
        config = {"vocab_size": vocab, "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
                  "intermediate_size": inter, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                  "attention_probs_dropout_prob": 0.1, "max_position_embeddings": positions, "type_vocab_size": 2,
                  "layer_norm_eps": 1e-12, "num_labels": labels, "model_type": "bert"}
        torch.manual_seed(seed)
        model = BertReference(config)
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0.0, 0.1)  # larger than BERT's 0.02, so differences show
        with open(f"{folder}/config.json", "w") as f:
            json.dump(config, f)
        write_safetensors(f"{folder}/model.safetensors", model.state_dict())
    elif command == "forward":
        model = load_model(argv[2])
        inputs = read_safetensors(argv[3])
        ids = inputs["input_ids"].long()
        mask = inputs["attention_mask"].long()
        types = inputs["token_type_ids"].long()
        with torch.no_grad():
            logits, hidden, attentions = model(ids, mask, types)
        out = {"logits": logits}
        for i, h in enumerate(hidden):
            out[f"hidden.{i}"] = h
        for i, a in enumerate(attentions):
            out[f"attention.{i + 1}"] = a
        write_safetensors(argv[4], out)
    elif command == "losses":
        x = read_safetensors(argv[2])
        tau = float(x["temperature"].item())
        labels = x["labels"].long()
        s, t = x["student_logits"], x["teacher_logits"]
        out = {
            "hard": F.cross_entropy(s, labels),
            "soft": F.kl_div(F.log_softmax(s / tau, -1), F.log_softmax(t / tau, -1), reduction="batchmean", log_target=True) * tau * tau,
            "attention": attention_kl(x["teacher_attention"], F.log_softmax(x["student_scores"], -1), x["query_mask"]),
            "cosine": (1.0 - F.cosine_similarity(x["student_cls"], x["teacher_cls"], dim=-1, eps=1e-8)).mean(),
            "mse": F.mse_loss(x["student_cls"] @ x["projection_weight"].T + x["projection_bias"], x["teacher_cls_wide"]),
        }
        write_safetensors(argv[3], {k: v.reshape(1) for k, v in out.items()})
    elif command == "onnx":
        model = load_model(argv[2])

        class LogitsOnly(nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, ids, mask, types):
                return self.inner(ids, mask, types)[0]

        ids = torch.ones(2, 6, dtype=torch.long)
        torch.onnx.export(LogitsOnly(model), (ids, ids, torch.zeros_like(ids)), argv[3], opset_version=13,
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                          dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "token_type_ids"]})
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
