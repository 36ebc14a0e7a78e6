"""PyTorch's side of one training step of the comparison's adding-problem transformer.

The same model as loopflow's benchmark (packages/benchmark, adding task, budget 16000):
Linear(2 -> 20) + sinusoidal positions, 2 pre-norm blocks (nn.TransformerEncoderLayer,
norm_first, batch_first, 4 heads, MLP 150, GELU tanh form, no dropout) under a causal mask,
a final LayerNorm and Linear(20 -> 1); MSE on the last step; gradient norm clipped to 1; Adam
(lr 3e-3). Batch 32. Two variants: every block over all T positions ("full"), and the last
block computing its queries, residual and MLP at the last position only ("last-read", what
loopflow's benchmark does). Prints CPU ms per step (time.process_time) on 1 thread.

Run: /usr/bin/python3 torch_adding_transformer_step.py [T ...]  (Debian's python3-torch 1.13)
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
D, HEADS, MLP, B = 20, 4, 150, 32


def sinusoidal(T, d):
    pos = torch.arange(T, dtype=torch.float32)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float32)
    div = torch.exp(-math.log(10000.0) * i / d)
    pe = torch.zeros(T, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class Model(nn.Module):
    def __init__(s):
        super().__init__()
        s.embed = nn.Linear(2, D)
        gelu = lambda x: F.gelu(x, approximate="tanh")
        s.blocks = nn.ModuleList([nn.TransformerEncoderLayer(D, HEADS, MLP, dropout=0.0, activation=gelu, batch_first=True, norm_first=True) for _ in range(2)])
        s.norm = nn.LayerNorm(D)
        s.head = nn.Linear(D, 1)

    def forward(s, x, mask, last_read):
        h = s.embed(x) + sinusoidal(x.shape[1], D)
        blocks = s.blocks if not last_read else s.blocks[:-1]
        for b in blocks:
            h = b(h, src_mask=mask)
        if last_read:
            b = s.blocks[-1]
            n = b.norm1(h)
            q = n[:, -1:]
            a, _ = b.self_attn(q, n, n, need_weights=False)  # the last query sees every key
            r = h[:, -1:] + a
            r = r + b.linear2(b.activation(b.linear1(b.norm2(r))))
            h = r
        else:
            h = h[:, -1:]
        return s.head(s.norm(h))[:, 0, 0]


def run(T, last_read, steps=3):
    torch.manual_seed(0)
    m = Model()
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    mask = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
    x = torch.stack([torch.rand(B, T), torch.zeros(B, T)], dim=2)
    x[:, 0, 1] = 1
    x[:, T // 2, 1] = 1
    y = x[:, 0, 0] + x[:, T // 2, 0]
    times = []
    for i in range(steps + 1):
        t = time.process_time()
        opt.zero_grad()
        loss = F.mse_loss(m(x, mask, last_read), y)
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        if i > 0:
            times.append((time.process_time() - t) * 1000)
    return times


if __name__ == "__main__":
    lengths = [int(a) for a in sys.argv[1:]] or [100, 500, 1000]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for T in lengths:
        for last_read in (False, True):
            ts = run(T, last_read)
            print(f"T={T} {'last-read' if last_read else 'full'}: CPU ms/step {' '.join(f'{t:.0f}' for t in ts)} (median {sorted(ts)[len(ts)//2]:.0f})", flush=True)
