"""PyTorch -> loopflow: trains small models in PyTorch, saves them as safetensors, records outputs.

Writes into torch/ (beside this script):
- lstm-lm.safetensors + lstm-lm.json: a character LSTM language model (nn.Embedding ->
  2-layer nn.LSTM -> nn.Linear, named embedding/rnn/head as loopflow's `recurrent` model)
  trained on a few first names; the JSON holds, for one prompt, every step's logits and the
  final (h, c) of each layer, which loopflow's streamer must reproduce; lstm-lm.model.json its
  loopflow architecture and vocabulary (what `loopflow import --model` reads).
- gru-features.safetensors + .json: nn.GRU(3 -> 5) -> nn.Linear(5 -> 2) fitted to a toy series;
  per-step outputs for one input sequence.
- mha.safetensors + .json: an nn.MultiheadAttention(8, 2 heads, batch_first) fitted a few
  steps; output and per-head attention weights under a causal mask.
- encoder-layer-relu / encoder-layer-gelu (.safetensors + .json): nn.TransformerEncoderLayer
  (d_model 8, 2 heads, feed-forward 16, norm_first, batch_first; ReLU, or GELU with the tanh
  approximation as loopflow's 'gelu') fitted a few steps; outputs under a causal mask.

The safetensors files are written by hand (safetensors_io.py): this python3-torch has no
`safetensors` module. Outputs are computed in float64 from the float32 weights saved.

Run: /usr/bin/python3 packages/pipeline/testdata/pytorch/from_pytorch.py
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from safetensors_io import save_file  # noqa: E402

OUT = os.path.join(HERE, "torch")
NAMES = ["anna", "bob", "carl", "dora", "emil", "fred", "greta", "hans", "ida", "jan", "karl", "lena", "mia", "nils", "olga"]
SPECIALS = ["<pad>", "<unk>", "<bos>", "<eos>"]


def tensor_json(t):
    return {"shape": list(t.shape), "data": [round(v, 12) for v in t.detach().double().flatten().tolist()]}


def write(name, module, record):
    save_file({k: v.float() for k, v in module.state_dict().items()}, os.path.join(OUT, f"{name}.safetensors"), {"format": "pt"})
    record = {"about": f"written by from_pytorch.py (torch {torch.__version__})", "module": repr(module), **record}
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")
    print(f"{name}: {', '.join(f'{k} {list(v.shape)}' for k, v in module.state_dict().items())}")


def fit(module, forward, steps, lr=0.02):
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = forward()
        loss.backward()
        optimizer.step()
    return float(loss)


class CharLM(nn.Module):
    def __init__(self, vocab, embedding, hidden, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding)
        self.rnn = nn.LSTM(embedding, hidden, num_layers=layers)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids, state=None):  # [T, B] -> [T, B, V]
        out, state = self.rnn(self.embedding(ids), state)
        return self.head(out), state


def lstm_lm():
    chars = sorted(set("".join(NAMES)))
    tokens = SPECIALS + chars
    ids = {c: i for i, c in enumerate(tokens)}
    sequences = [[2] + [ids[c] for c in n] + [3] for n in NAMES]
    T = max(len(s) for s in sequences)
    batch = torch.tensor([s + [0] * (T - len(s)) for s in sequences]).t()  # [T, B], padded with <pad>
    model = CharLM(len(tokens), 6, 12, 2)
    inputs, targets = batch[:-1], batch[1:]
    loss = fit(model, lambda: F.cross_entropy(model(inputs)[0].reshape(-1, len(tokens)), targets.reshape(-1), ignore_index=0), 150)
    model = model.double().eval()
    prompt = [2] + [ids[c] for c in "karl"]
    with torch.no_grad():
        logits, (h, c) = model(torch.tensor(prompt).unsqueeze(1))
    vocabulary = {"format": "loopflow-vocabulary", "version": 1, "specials": dict(zip(["pad", "unk", "bos", "eos"], SPECIALS)), "tokens": tokens, "tokenizer": {"kind": "char", "lowerCase": False}}
    # What `loopflow import lstm-lm.safetensors --model lstm-lm.model.json` reads: the
    # architecture in loopflow's terms (the `recurrent` model stage's options) and the vocabulary.
    description = {
        "name": "torch-lstm-lm",
        "architecture": {"kind": "recurrent", "task": "language-model", "options": {"cell": "lstm", "hiddenSize": 12, "numLayers": 2, "embeddingSize": 6}, "input": {"kind": "tokens", "vocabSize": len(tokens)}, "outputSize": len(tokens)},
        "tokenizer": {"kind": "char", "lowerCase": False},
        "vocabulary": vocabulary,
    }
    with open(os.path.join(OUT, "lstm-lm.model.json"), "w") as f:
        json.dump(description, f, indent=2)
        f.write("\n")
    write("lstm-lm", model, {
        "trainLoss": loss,
        "model": description,
        "prompt": prompt,
        "logits": tensor_json(logits[:, 0]),  # [T, V]
        "h": tensor_json(h[:, 0]),  # [layers, H]
        "c": tensor_json(c[:, 0]),
    })


class SeriesGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(3, 5)
        self.head = nn.Linear(5, 2)

    def forward(self, x):  # [T, B, 3] -> [T, B, 2]
        return self.head(self.rnn(x)[0])


def gru_features():
    model = SeriesGRU()
    t = torch.linspace(0, 6, 40)
    x = torch.stack([torch.sin(t), torch.cos(t), torch.sin(2 * t)], -1).unsqueeze(1)  # [T, 1, 3]
    y = torch.stack([torch.sin(t + 0.3), torch.cos(2 * t)], -1).unsqueeze(1)
    loss = fit(model, lambda: F.mse_loss(model(x), y), 60)
    model = model.double().eval()
    sequence = torch.randn(9, 3, dtype=torch.float64)
    with torch.no_grad():
        out = model(sequence.unsqueeze(1))[:, 0]
    write("gru-features", model, {"trainLoss": loss, "x": tensor_json(sequence), "y": tensor_json(out)})


def causal_mask(T, dtype=torch.float32):
    return torch.triu(torch.full((T, T), float("-inf"), dtype=dtype), diagonal=1)


def mha():
    model = nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(4, 5, 8)
    target = torch.randn(4, 5, 8)
    loss = fit(model, lambda: F.mse_loss(model(x, x, x, attn_mask=causal_mask(5), need_weights=False)[0], target), 30)
    model = model.double().eval()
    probe = torch.randn(2, 5, 8, dtype=torch.float64)
    with torch.no_grad():
        y, weights = model(probe, probe, probe, attn_mask=causal_mask(5, torch.float64), need_weights=True, average_attn_weights=False)
    write("mha", model, {"trainLoss": loss, "heads": 2, "x": tensor_json(probe), "y": tensor_json(y), "weights": tensor_json(weights)})


def encoder_layer(activation_name):
    activation = nn.ReLU() if activation_name == "relu" else nn.GELU(approximate="tanh")
    model = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation=activation, batch_first=True, norm_first=True)
    x = torch.randn(4, 5, 8)
    target = torch.randn(4, 5, 8)
    loss = fit(model, lambda: F.mse_loss(model(x, src_mask=causal_mask(5)), target), 30)
    model = model.double().eval()
    probe = torch.randn(2, 5, 8, dtype=torch.float64)
    with torch.no_grad():
        y = model(probe, src_mask=causal_mask(5, torch.float64))
    write(f"encoder-layer-{activation_name}", model, {
        "trainLoss": loss,
        "config": {"dModel": 8, "heads": 2, "mlpWidth": 16, "activation": activation_name},
        "x": tensor_json(probe),
        "y": tensor_json(y),
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    lstm_lm()
    gru_features()
    mha()
    encoder_layer("relu")
    encoder_layer("gelu")


if __name__ == "__main__":
    main()
