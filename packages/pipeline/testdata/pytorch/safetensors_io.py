"""safetensors read and written by hand: Debian's python3-torch ships no `safetensors` module.

The format (https://github.com/huggingface/safetensors): an 8-byte little-endian unsigned
header length N, N bytes of JSON ({name: {"dtype", "shape", "data_offsets": [begin, end]}},
optional "__metadata__" of strings), then the raw little-endian tensor bytes, offsets relative
to the end of the header.
"""
import json
import struct

import torch

_DTYPES = {"F32": torch.float32, "F64": torch.float64}
_NAMES = {v: k for k, v in _DTYPES.items()}


def load_file(path):
    """{name: tensor} of a safetensors file (F32 and F64 tensors)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = _DTYPES[entry["dtype"]]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(entry["shape"]).clone()
    return out


def save_file(tensors, path, metadata=None):
    """Writes {name: tensor} (float32 or float64, made contiguous, little-endian) as safetensors."""
    header = {}
    chunks = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # pad the header so the data is 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
