"""Checks an `adapt` folder's new Dense module the way sentence-transformers' Dense.load and Normalize read
and apply it, with the Python standard library and torch only (not sentence-transformers itself).

It reads modules.json, takes the Dense just before the final Normalize, and like Dense.load (commit
85ec64559f44): json-loads <path>/config.json, resolves activation_function with importlib as
util.import_from_string does and calls it, builds torch.nn.Linear(in_features, out_features, bias=bias),
loads <path>/model.safetensors parsed here with struct + json + torch.frombuffer, with strict=True (Module.
load_torch_weights raises on any missing or unexpected key). Then it applies that Dense and F.normalize(p=2,
dim=1) to the base model's vectors and compares with the adapted model's vectors.

Usage: dense_normalize_check.py <adapted folder> <base vectors.json> <adapted vectors.json> [tolerance]
Prints one JSON line; exits 0 when every value is within tolerance (default 1e-5), 1 otherwise.
"""
import importlib
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def import_from_string(dotted_path):
    module_path, class_name = dotted_path.rsplit(".", 1)
    try:
        module = importlib.import_module(dotted_path)
    except Exception:
        module = importlib.import_module(module_path)
    return getattr(module, class_name)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    body = memoryview(data)[8 + n :]
    tensors = {}
    end = 0
    for name, entry in sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"][0]):
        start, stop = entry["data_offsets"]
        if start != end:
            raise ValueError(f"{path}: {name} starts at {start}, expected {end}")
        end = stop
        raw = bytearray(body[start:stop])  # writable copy: torch.frombuffer warns on read-only buffers
        tensors[name] = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    if end != len(body):
        raise ValueError(f"{path}: tensors end at {end}, data is {len(body)} bytes")
    return tensors


def main():
    folder, base_file, adapted_file = sys.argv[1:4]
    tolerance = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
    with open(os.path.join(folder, "modules.json"), encoding="utf8") as f:
        modules = json.load(f)
    types = [m["type"] for m in modules]
    if types[-1] != "sentence_transformers.models.Normalize" or types[-2] != "sentence_transformers.models.Dense":
        raise SystemExit(f"expected ... Dense, Normalize at the end of modules.json, got {types}")
    dense_dir = os.path.join(folder, modules[-2]["path"])
    with open(os.path.join(dense_dir, "config.json"), encoding="utf8") as f:
        config = json.load(f)
    activation = import_from_string(config["activation_function"])()
    linear = torch.nn.Linear(config["in_features"], config["out_features"], bias=config["bias"])
    state = read_safetensors(os.path.join(dense_dir, "model.safetensors"))
    dense = torch.nn.Module()
    dense.linear = linear
    dense.activation_function = activation
    dense.load_state_dict(state, strict=True)

    with open(base_file, encoding="utf8") as f:
        base = torch.tensor(json.load(f), dtype=torch.float32)
    with open(adapted_file, encoding="utf8") as f:
        ours = torch.tensor(json.load(f), dtype=torch.float32)
    with torch.no_grad():
        expected = F.normalize(activation(linear(base)), p=2, dim=1)
    worst = (expected - ours).abs().max().item()
    print(json.dumps({"check": "dense+normalize", "torch": torch.__version__, "texts": len(base), "dims": list(expected.shape[1:]), "activation": type(activation).__name__, "maxAbsDiff": worst}))
    sys.exit(0 if worst <= tolerance else 1)


if __name__ == "__main__":
    main()
