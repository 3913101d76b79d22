"""Independent PyTorch implementations of the networks the zoo adds, written from the papers and
the authors' published code layouts, to check our counts, names and logits against:

  shufflenet_v1  megvii's ShuffleNet-Series ShuffleNetV1 (network.py, blocks.py)
  mobilenet_v1   Howard et al. 2017, Table 1 (TF-slim's width rule max(int(c*alpha), 8))
  darts          DARTS's CIFAR-10 evaluation network (cnn/model.py NetworkCIFAR with
                 AuxiliaryHeadCIFAR, cnn/operations.py) for a genotype file of ours

Usage: python3 reference_models.py MODEL [--classes N] [--resolution R] [--state-dict OUT.json] [--make DIR]
  prints {"params": P, "params_with_auxiliary": P2, "macs": M} as JSON (MACs of convolutions
  and linears in eval mode, batch 1; the auxiliary head's parameters are what DARTS's train.py
  leaves out of its count). --make DIR also writes DIR/model.pth (torch.save of the state dict,
  batch-norm statistics drawn at random), DIR/x.npy (two seeded inputs) and DIR/logits.npy
  (this implementation's eval logits on them).
"""
import argparse
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- ShuffleNet v1 (megvii)
class ShuffleV1Block(nn.Module):
    def __init__(self, inp, oup, group, first_group, mid_channels, ksize, stride):
        super().__init__()
        self.stride, self.group = stride, group
        outputs = oup - inp if stride == 2 else oup
        pad = ksize // 2
        self.branch_main_1 = nn.Sequential(
            nn.Conv2d(inp, mid_channels, 1, 1, 0, groups=1 if first_group else group, bias=False),
            nn.BatchNorm2d(mid_channels), nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, mid_channels, ksize, stride, pad, groups=mid_channels, bias=False),
            nn.BatchNorm2d(mid_channels))
        self.branch_main_2 = nn.Sequential(
            nn.Conv2d(mid_channels, outputs, 1, 1, 0, groups=group, bias=False), nn.BatchNorm2d(outputs))
        if stride == 2:
            self.branch_proj = nn.AvgPool2d(kernel_size=3, stride=2, padding=1)

    def forward(self, old_x):
        x = self.branch_main_1(old_x)
        if self.group > 1:
            b, c, h, w = x.shape
            x = x.reshape(b, c // self.group, self.group, h, w).permute(0, 2, 1, 3, 4).reshape(b, c, h, w)
        x = self.branch_main_2(x)
        if self.stride == 1:
            return F.relu(x + old_x)
        return torch.cat((self.branch_proj(old_x), F.relu(x)), 1)


SHUFFLE_V1_WIDTHS = {
    (1, "1.0"): [24, 144, 288, 576], (2, "1.0"): [24, 200, 400, 800], (4, "1.0"): [24, 272, 544, 1088],
    (3, "0.5"): [12, 120, 240, 480], (3, "1.0"): [24, 240, 480, 960], (3, "1.5"): [24, 360, 720, 1440], (3, "2.0"): [48, 480, 960, 1920],
    (8, "0.5"): [16, 192, 384, 768], (8, "1.0"): [24, 384, 768, 1536], (8, "1.5"): [24, 576, 1152, 2304], (8, "2.0"): [48, 768, 1536, 3072],
}


class ShuffleNetV1(nn.Module):
    def __init__(self, group, size, n_class):
        super().__init__()
        widths = SHUFFLE_V1_WIDTHS[(group, size)]
        inp = widths[0]
        self.first_conv = nn.Sequential(nn.Conv2d(3, inp, 3, 2, 1, bias=False), nn.BatchNorm2d(inp), nn.ReLU(inplace=True))
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        features = []
        for stage, repeats in enumerate([4, 8, 4]):
            oup = widths[stage + 1]
            for i in range(repeats):
                features.append(ShuffleV1Block(inp, oup, group, stage == 0 and i == 0, oup // 4, 3, 2 if i == 0 else 1))
                inp = oup
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Linear(widths[-1], n_class, bias=False))

    def forward(self, x):
        x = self.features(self.maxpool(self.first_conv(x)))
        return self.classifier(F.adaptive_avg_pool2d(x, 1).flatten(1))


# ---------------------------------------------------------------- MobileNet v1
class MobileNetV1(nn.Module):
    CFG = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]

    def __init__(self, alpha, n_class):
        super().__init__()
        d = lambda c: max(int(c * alpha), 8)
        layers = [nn.Conv2d(3, d(32), 3, 2, 1, bias=False), nn.BatchNorm2d(d(32)), nn.ReLU(inplace=True)]
        inp = d(32)
        for c, s in self.CFG:
            layers += [nn.Conv2d(inp, inp, 3, s, 1, groups=inp, bias=False), nn.BatchNorm2d(inp), nn.ReLU(inplace=True),
                       nn.Conv2d(inp, d(c), 1, bias=False), nn.BatchNorm2d(d(c)), nn.ReLU(inplace=True)]
            inp = d(c)
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(inp, n_class)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


# ---------------------------------------------------------------- DARTS (cnn/model.py, operations.py)
class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        return self.op(x)


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = F.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))


def sep_conv(c, k, stride):
    p = k // 2
    return nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(c, c, k, stride, p, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False),
                         nn.BatchNorm2d(c), nn.ReLU(inplace=False), nn.Conv2d(c, c, k, 1, p, groups=c, bias=False),
                         nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))


def dil_conv(c, k, stride, dilation):
    return nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(c, c, k, stride, dilation * (k - 1) // 2, dilation=dilation, groups=c, bias=False),
                         nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))


def darts_op(definition, c, stride):
    if definition == "skip":
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if definition.startswith("max_pool_k"):
        return nn.MaxPool2d(int(definition[10:]), stride, int(definition[10:]) // 2)
    if definition.startswith("avg_pool_k"):
        k = int(definition[10:])
        return nn.AvgPool2d(k, stride, k // 2, count_include_pad=False)
    tokens = definition.split("_")
    k = int(next(t[1:] for t in tokens[1:] if t.startswith("k")))
    if tokens[0] == "sp":
        return sep_conv(c, k, stride)
    if tokens[0] == "dl":
        return dil_conv(c, k, stride, int(next(t[1:] for t in tokens[1:] if t.startswith("d"))))
    raise ValueError(f"not a DARTS op: {definition}")


class DartsCell(nn.Module):
    def __init__(self, genotype, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.preprocess0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c)
        self.preprocess1 = ReLUConvBN(c_p, c)
        key = "reduce" if reduction else "normal"
        edges = [e.rsplit("@", 1) for e in genotype[key]]
        self._ops = nn.ModuleList(darts_op(genotype["ops"][name], c, 2 if reduction and int(i) < 2 else 1) for name, i in edges)
        self._indices = [int(i) for _, i in edges]
        self._concat = genotype[key + "_concat"]
        self.multiplier = len(self._concat)

    def forward(self, s0, s1):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for n in range(len(self._ops) // 2):
            states.append(sum(self._ops[2 * n + j](states[self._indices[2 * n + j]]) for j in range(2)))
        return torch.cat([states[i] for i in self._concat], dim=1)


class AuxiliaryHeadCIFAR(nn.Module):
    def __init__(self, c, n_class):
        super().__init__()
        self.features = nn.Sequential(nn.ReLU(inplace=True), nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),
                                      nn.Conv2d(c, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True),
                                      nn.Conv2d(128, 768, 2, bias=False), nn.BatchNorm2d(768), nn.ReLU(inplace=True))
        self.classifier = nn.Linear(768, n_class)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class NetworkCIFAR(nn.Module):
    def __init__(self, genotype, c, n_class, layers, stem_multiplier=3, auxiliary=True):
        super().__init__()
        c_curr = stem_multiplier * c
        self.stem = nn.Sequential(nn.Conv2d(3, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_pp, c_p, c_curr = c_curr, c_curr, c
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in [layers // 3, 2 * layers // 3]
            if reduction:
                c_curr *= 2
            cell = DartsCell(genotype, c_pp, c_p, c_curr, reduction, reduction_prev)
            reduction_prev = reduction
            self.cells.append(cell)
            c_pp, c_p = c_p, cell.multiplier * c_curr
            if i == 2 * layers // 3:
                c_aux = c_p
        if auxiliary:
            self.auxiliary_head = AuxiliaryHeadCIFAR(c_aux, n_class)
        self.classifier = nn.Linear(c_p, n_class)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))


# ---------------------------------------------------------------- counting
def count(model, resolution):
    macs = [0]

    def hook(m, inputs, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        else:
            macs[0] += m.in_features * m.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, resolution, resolution))
    for h in handles:
        h.remove()
    total = sum(p.numel() for p in model.parameters())
    without_aux = sum(p.numel() for n, p in model.named_parameters() if "auxiliary" not in n)
    return {"params": without_aux, "params_with_auxiliary": total, "macs": macs[0]}


def build(name, classes):
    if name.startswith("shufflenet_v1_g"):
        rest = name[len("shufflenet_v1_g"):]
        group, _, size = rest.partition("_x")
        return ShuffleNetV1(int(group), size.replace("_", ".") if size else "1.0", classes)
    if name.startswith("mobilenet_v1"):
        alpha = float(name.partition("@")[2] or 1.0)
        return MobileNetV1(alpha, classes)
    if name.endswith(".json"):
        with open(name) as f:
            g = json.load(f)
        net = g["network"]
        return NetworkCIFAR(g["genotype"], net["channels"], classes, net["cells"], net["stem_multiplier"], net.get("auxiliary", 0) > 0)
    raise SystemExit(f"unknown model {name}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("model", help="shufflenet_v1_g3, shufflenet_v1_g8_x0_5, mobilenet_v1, mobilenet_v1@0.5, or a DARTS genotype .json")
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--resolution", type=int, default=224)
    ap.add_argument("--state-dict", help="also write [name, shape] pairs of the state dict to this JSON file")
    ap.add_argument("--make", help="also write model.pth, x.npy and logits.npy into this folder")
    a = ap.parse_args()
    torch.manual_seed(0)
    model = build(a.model, a.classes)
    if a.state_dict:
        with open(a.state_dict, "w") as f:
            f.write("[\n" + ",\n".join(json.dumps([k, list(v.shape)], separators=(",", ":")) for k, v in model.state_dict().items()) + "\n]\n")
    if a.make:
        import numpy as np
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
        model.eval()
        torch.save(model.state_dict(), f"{a.make}/model.pth")
        x = torch.randn(2, 3, a.resolution, a.resolution)
        np.save(f"{a.make}/x.npy", x.numpy())
        with torch.no_grad():
            np.save(f"{a.make}/logits.npy", model(x).numpy())
    json.dump(count(model, a.resolution), sys.stdout)
    print()
