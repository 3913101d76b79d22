#!/usr/bin/python3
"""An independent implementation of two zero-cost proxies, from their published definitions, on
torchvision's models (Debian's python3-torch and python3-torchvision), to check ours against.

  zero_cost_reference.py MODEL DIR RESOLUTION BATCH
      DIR/model.pth   torch.save of the model's state dict (10 classes; seeded weights, random
                      batch-norm affine values and statistics)
      DIR/x.npy       a float32 batch [BATCH, 3, RESOLUTION, RESOLUTION]
      DIR/reference.json  {"synflow": ..., "naswot": ...}

synflow (Tanaka et al. 2020; zero-cost-nas's `synflow`, bn=False): batch norm removed, eval mode
(dropout, stochastic depth off), every entry of the state dict replaced by its absolute value,
float64, an all-ones input [1, C, H, W], R = sum of the logits, score = sum over Conv2d and
Linear weights of |W * dR/dW|.

naswot (Mellor et al. 2021): batch norm with batch statistics (training mode), dropout off, one
forward pass of the batch; at the input of every activation module (ReLU, ReLU6 -- 'ReLU' in the
type name, as the reference -- and SiLU and Hardswish, coded the same way) the binary code
c = (input > 0) per image; K = sum of c c^T + (1 - c)(1 - c)^T; score = log|det K| (slogdet).
"""
import copy
import json
import sys

import numpy as np
import torch
import torchvision
from torch import nn


def build(name):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(num_classes=10)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    return model


def without_batch_norm(module):
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm2d):
            setattr(module, name, nn.Identity())
        else:
            without_batch_norm(child)


def synflow(model, shape):
    net = copy.deepcopy(model)
    without_batch_norm(net)
    net.eval()
    net.double()
    with torch.no_grad():
        for tensor in net.state_dict().values():
            if tensor.is_floating_point():
                tensor.abs_()
    net.zero_grad()
    torch.sum(net(torch.ones([1] + list(shape), dtype=torch.float64))).backward()
    score = 0.0
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.grad is not None:
            score += torch.abs(m.weight * m.weight.grad).sum().item()
    return score


def naswot(model, x):
    net = copy.deepcopy(model)
    net.eval()
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.train()
    n = x.shape[0]
    k = np.zeros((n, n))

    def code(module, inputs):
        c = (inputs[0].detach().reshape(n, -1) > 0).double()
        k[:] += (c @ c.t() + (1.0 - c) @ (1.0 - c).t()).numpy()

    for m in net.modules():
        if "ReLU" in type(m).__name__ or isinstance(m, (nn.SiLU, nn.Hardswish)):
            m.register_forward_pre_hook(code)
    with torch.no_grad():
        net(x)
    return float(np.linalg.slogdet(k)[1])


def main(name, folder, resolution, batch):
    model = build(name)
    torch.save(model.state_dict(), f"{folder}/model.pth")
    torch.manual_seed(1)
    x = torch.randn(batch, 3, resolution, resolution)
    np.save(f"{folder}/x.npy", x.numpy())
    result = {"synflow": synflow(model, [3, resolution, resolution]), "naswot": naswot(model, x)}
    with open(f"{folder}/reference.json", "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
