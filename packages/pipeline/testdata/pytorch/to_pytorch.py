"""loopflow -> PyTorch: loads loopflow run folders into torch.nn.Modules and records their outputs.

For each run folder under runs/ made by `loopflow run` (loopflow-gru, loopflow-attention:
language models; loopflow-bigru-classify, loopflow-encoder-classify: classifiers over padded
sequences; see README.md), reads model.json and model.safetensors, builds the same architecture from PyTorch's
own modules (nn.Embedding, nn.GRU/nn.LSTM/nn.RNN, nn.TransformerEncoderLayer, nn.LayerNorm,
nn.Linear), loads the weights with load_state_dict(strict=True) -- the names and layouts match
with no conversion -- and writes runs/<name>/pytorch-outputs.json: fixed token ids (time-major
[T, B], as a loopflow batch, with their lengths) and the logits PyTorch computes from them
([T, B, V] or [B, C]; in float64 from the float32 weights). The loopflow test reads that file (no Python needed there).

Run from anywhere: /usr/bin/python3 packages/pipeline/testdata/pytorch/to_pytorch.py
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from safetensors_io import load_file  # noqa: E402


class RecurrentModel(nn.Module):
    """loopflow's `recurrent` model: embedding, stack, linear head per step (language model) or on
    the last layer's final states of both directions (classification, `pooling` 'last')."""

    def __init__(self, a):
        super().__init__()
        o = a["options"]
        vocab = a["input"]["vocabSize"]
        cell = o.get("cell", "lstm")
        size = o.get("embeddingSize") or vocab
        self.one_hot = not o.get("embeddingSize")
        self.vocab = vocab
        if not self.one_hot:
            self.embedding = nn.Embedding(vocab, size)
        kinds = {"lstm": nn.LSTM, "gru": nn.GRU}
        extra = {} if cell in kinds else {"nonlinearity": o.get("nonlinearity", "tanh")}
        self.rnn = kinds.get(cell, nn.RNN)(size, o["hiddenSize"], num_layers=o.get("numLayers", 1), bidirectional=o.get("bidirectional", False), **extra)
        self.head = nn.Linear(o["hiddenSize"] * (2 if o.get("bidirectional") else 1), a["outputSize"])
        self.task = a["task"]
        assert self.task == "language-model" or o.get("pooling", "last") == "last", "only 'last' pooling here"

    def forward(self, ids, lengths):  # ids [T, B] -> logits [T, B, V] or [B, C]
        x = F.one_hot(ids, self.vocab).to(self.head.weight.dtype) if self.one_hot else self.embedding(ids)
        if self.task == "language-model":
            return self.head(self.rnn(x)[0])
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)  # loopflow's lengths = PyTorch's packed sequences
        _, h = self.rnn(packed)
        h = h[0] if isinstance(h, tuple) else h  # LSTM: (h, c)
        top = h[-2:] if self.rnn.bidirectional else h[-1:]  # the last layer, both directions: [D, B, H]
        return self.head(torch.cat(list(top), dim=1))


class LearnedPositions(nn.Module):
    def __init__(self, length, d):
        super().__init__()
        self.embedding = nn.Embedding(length, d)

    def forward(self, x):  # [B, T, d]
        return x + self.embedding.weight[: x.shape[1]]


def sinusoidal(length, d):
    table = torch.zeros(length, d, dtype=torch.float64)
    for i in range(0, d, 2):
        frequency = 10000.0 ** (-i / d)
        for pos in range(length):
            table[pos, i] = math.sin(pos * frequency)
            if i + 1 < d:
                table[pos, i + 1] = math.cos(pos * frequency)
    return table


class Decoder(nn.Module):
    """loopflow's decoder (causal, a head per position) and encoder (padding masked, mean pooling
    over the real positions, one head): embed + positions -> pre-norm blocks -> LayerNorm -> head."""

    def __init__(self, a):
        super().__init__()
        o = a["options"]
        d, vocab = o["dModel"], a["input"]["vocabSize"]
        self.embed = nn.Embedding(vocab, d)
        self.positional = o.get("positional", "sinusoidal")
        if self.positional == "learned":
            self.positions = LearnedPositions(o.get("maxLength", 1024), d)
        # loopflow's 'gelu' is the tanh approximation
        activation = nn.ReLU() if o.get("activation") == "relu" else nn.GELU(approximate="tanh")
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(d, o["heads"], dim_feedforward=o.get("mlpWidth", 4 * d), dropout=0.0, activation=activation, batch_first=True, norm_first=True)
            for _ in range(o["layers"])
        ])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, a["outputSize"])
        self.causal = a["task"] == "language-model"
        assert self.causal or o.get("pooling", "mean") == "mean", "only 'mean' pooling here"

    def forward(self, ids, lengths):  # ids [B, T] -> [B, T, V] (causal) or [B, C]
        x = self.embed(ids)
        if self.positional == "learned":
            x = self.positions(x)
        elif self.positional == "sinusoidal":
            x = x + sinusoidal(ids.shape[1], x.shape[2]).to(x.dtype)
        T = ids.shape[1]
        if self.causal:
            mask = torch.triu(torch.full((T, T), float("-inf"), dtype=x.dtype), diagonal=1)
        else:
            mask = torch.zeros(T, T, dtype=x.dtype)  # no mask, but given: keeps PyTorch off its fused fast path
        padding = torch.arange(T)[None, :] >= torch.tensor(lengths)[:, None]  # [B, T], True = padding
        for block in self.blocks:
            x = block(x, src_mask=mask, src_key_padding_mask=None if self.causal else padding)
        x = self.norm(x)
        if self.causal:
            return self.head(x)
        real = (~padding).to(x.dtype)[:, :, None]
        return self.head((x * real).sum(1) / real.sum(1))  # mean over the real positions


class AttentionModel(nn.Module):
    """loopflow's `attention` model: `transformer.*`; batches are time-major, the transformer batch-major."""

    def __init__(self, a):
        super().__init__()
        self.transformer = Decoder(a)
        self.causal = a["task"] == "language-model"

    def forward(self, ids, lengths):  # [T, B] -> [T, B, V] or [B, C]
        y = self.transformer(ids.t(), lengths)
        return y.transpose(0, 1) if self.causal else y


def main():
    torch.manual_seed(0)
    runs = os.path.join(HERE, "runs")
    for name in sorted(os.listdir(runs)):
        folder = os.path.join(runs, name)
        if not os.path.exists(os.path.join(folder, "model.json")) or name.startswith("legacy"):
            continue
        with open(os.path.join(folder, "model.json")) as f:
            description = json.load(f)
        a = description["architecture"]
        model = {"recurrent": RecurrentModel, "attention": AttentionModel}[a["kind"]](a)
        weights = load_file(os.path.join(folder, description["weights"]))
        model.load_state_dict(weights, strict=True)  # loopflow's names and layouts are PyTorch's
        model = model.double().eval()
        vocab = a["input"]["vocabSize"]
        ids = torch.randint(4, vocab, (6, 2))  # [T, B], no special tokens
        if a["task"] == "language-model":
            ids[0] = 2  # <bos>
            lengths = [6, 6]
        else:
            lengths = [6, 4]  # the second sequence padded with <pad> (0) after 4 steps
            ids[4:, 1] = 0
        with torch.no_grad():
            logits = model(ids, lengths)
        out = {
            "about": "written by to_pytorch.py: PyTorch's logits (float64 from the float32 weights) for the token ids, from this run folder loaded with load_state_dict(strict=True)",
            "torch": torch.__version__,
            "module": repr(model),
            "ids": ids.tolist(),
            "lengths": lengths,
            "logits": {"shape": list(logits.shape), "data": [round(v, 12) for v in logits.flatten().tolist()]},
        }
        with open(os.path.join(folder, "pytorch-outputs.json"), "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"{name}: {a['kind']} loaded strictly ({len(weights)} tensors); logits {list(logits.shape)} written")


if __name__ == "__main__":
    main()
