#!/usr/bin/python3
"""PyTorch's side of the interop tests, with Debian's python3-torch and python3-torchvision.

  torchvision_interop.py make MODEL DIR
      DIR/model.pth (torch.save of a torchvision model's state dict: random weights and random
      BN statistics), DIR/x.npy (a float32 input batch) and DIR/logits.npy (torchvision's
      eval-mode output on it).
  torchvision_interop.py check MODEL WEIGHTS.safetensors X.npy OUT.npy
      loads our safetensors file into torchvision's model with strict=True and writes its
      eval-mode logits on X.npy to OUT.npy.
"""
import json
import struct
import sys

import numpy as np
import torch
import torchvision

RESOLUTION = 64


def build(name):
    torch.manual_seed(0)
    return getattr(torchvision.models, name)(num_classes=1000).eval()


def read_safetensors(path):
    """A small reader of our own: the header's JSON, then raw little-endian tensors."""
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
    out = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        raw = bytearray(data[8 + n + start:8 + n + end])
        out[key] = torch.frombuffer(raw, dtype=dtypes[entry["dtype"]]).reshape(entry["shape"]).clone()
    return out


def make(name, folder):
    model = build(name)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    torch.save(model.state_dict(), f"{folder}/model.pth")
    x = torch.randn(2, 3, RESOLUTION, RESOLUTION)
    np.save(f"{folder}/x.npy", x.numpy())
    with torch.no_grad():
        np.save(f"{folder}/logits.npy", model(x).numpy())


def check(name, weights, x_path, out_path):
    model = build(name)
    model.load_state_dict(read_safetensors(weights), strict=True)
    with torch.no_grad():
        np.save(out_path, model(torch.from_numpy(np.load(x_path))).numpy())


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        check(*sys.argv[2:6])
