"""GhostNet (Han et al. 2020) laid out as the authors' code builds it (huawei-noah
Efficient-AI-Backbones, ghostnet_pytorch/ghostnet.py), for the PyTorch benchmarks: torchvision has
none. Module names follow that code, so its state dict has the official keys.

- Ghost module (ratio 2): a 1x1 conv + BN (+ReLU) makes ceil(oup/2) maps, a 3x3 depthwise conv + BN
  (+ReLU) makes as many again from them; both concatenated and cut to oup.
- Bottleneck: ghost module to mid (ReLU), a strided depthwise conv + BN when stride 2, squeeze-excite
  (reduce to make_divisible(mid/4, 4), ReLU, hard-sigmoid gate) where the table says, ghost module
  to out (no ReLU); shortcut the identity, or depthwise conv + BN then 1x1 conv + BN.
- Every width is make_divisible(c * width, 4); the head is a 1x1 ConvBnAct to 960*width, global
  average pool, a biased 1x1 conv to 1280 + ReLU, dropout 0.2 and the classifier.
- No init of its own (PyTorch's layer defaults), as in the official code and the zoo's GhostNet.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# Per stage, the bottlenecks as (kernel, mid channels, out channels, se ratio, stride) at width 1.
CFGS = [
    [(3, 16, 16, 0, 1)],
    [(3, 48, 24, 0, 2)],
    [(3, 72, 24, 0, 1)],
    [(5, 72, 40, 0.25, 2)],
    [(5, 120, 40, 0.25, 1)],
    [(3, 240, 80, 0, 2)],
    [(3, 200, 80, 0, 1), (3, 184, 80, 0, 1), (3, 184, 80, 0, 1), (3, 480, 112, 0.25, 1), (3, 672, 112, 0.25, 1)],
    [(5, 672, 160, 0.25, 2)],
    [(5, 960, 160, 0, 1), (5, 960, 160, 0.25, 1), (5, 960, 160, 0, 1), (5, 960, 160, 0.25, 1)],
]


def make_divisible(v, divisor, min_value=None):
    """Nearest multiple of divisor, at least min_value (divisor), never more than 10% below v."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * v else rounded


def _relu_or_nothing(relu):
    return nn.ReLU(inplace=True) if relu else nn.Identity()


class SqueezeExcite(nn.Module):
    def __init__(self, channels, se_ratio=0.25, divisor=4):
        super().__init__()
        reduced = make_divisible(channels * se_ratio, divisor)
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv_reduce = nn.Conv2d(channels, reduced, 1, bias=True)
        self.act1 = nn.ReLU(inplace=True)
        self.conv_expand = nn.Conv2d(reduced, channels, 1, bias=True)

    def forward(self, x):
        gate = self.conv_expand(self.act1(self.conv_reduce(self.avg_pool(x))))
        return x * (F.relu6(gate + 3.0) / 6.0)  # hard sigmoid


class ConvBnAct(nn.Module):
    def __init__(self, in_chs, out_chs, kernel_size, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(in_chs, out_chs, kernel_size, stride, kernel_size // 2, bias=False)
        self.bn1 = nn.BatchNorm2d(out_chs)
        self.act1 = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act1(self.bn1(self.conv(x)))


class GhostModule(nn.Module):
    def __init__(self, inp, oup, kernel_size=1, ratio=2, dw_size=3, stride=1, relu=True):
        super().__init__()
        self.oup = oup
        primary = math.ceil(oup / ratio)
        cheap = primary * (ratio - 1)
        self.primary_conv = nn.Sequential(
            nn.Conv2d(inp, primary, kernel_size, stride, kernel_size // 2, bias=False),
            nn.BatchNorm2d(primary), _relu_or_nothing(relu))
        self.cheap_operation = nn.Sequential(
            nn.Conv2d(primary, cheap, dw_size, 1, dw_size // 2, groups=primary, bias=False),
            nn.BatchNorm2d(cheap), _relu_or_nothing(relu))

    def forward(self, x):
        intrinsic = self.primary_conv(x)
        ghosts = self.cheap_operation(intrinsic)
        return torch.cat([intrinsic, ghosts], dim=1)[:, :self.oup]


class GhostBottleneck(nn.Module):
    def __init__(self, in_chs, mid_chs, out_chs, dw_kernel_size=3, stride=1, se_ratio=0.0):
        super().__init__()
        self.stride = stride
        pad = (dw_kernel_size - 1) // 2
        self.ghost1 = GhostModule(in_chs, mid_chs, relu=True)
        if stride > 1:
            self.conv_dw = nn.Conv2d(mid_chs, mid_chs, dw_kernel_size, stride, pad, groups=mid_chs, bias=False)
            self.bn_dw = nn.BatchNorm2d(mid_chs)
        self.se = SqueezeExcite(mid_chs, se_ratio) if se_ratio and se_ratio > 0 else None
        self.ghost2 = GhostModule(mid_chs, out_chs, relu=False)
        if in_chs == out_chs and stride == 1:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_chs, in_chs, dw_kernel_size, stride, pad, groups=in_chs, bias=False),
                nn.BatchNorm2d(in_chs),
                nn.Conv2d(in_chs, out_chs, 1, bias=False),
                nn.BatchNorm2d(out_chs))

    def forward(self, x):
        y = self.ghost1(x)
        if self.stride > 1:
            y = self.bn_dw(self.conv_dw(y))
        if self.se is not None:
            y = self.se(y)
        return self.ghost2(y) + self.shortcut(x)


class GhostNet(nn.Module):
    def __init__(self, cfgs=CFGS, num_classes=1000, width=1.0, dropout=0.2):
        super().__init__()
        self.dropout = dropout
        channels = make_divisible(16 * width, 4)
        self.conv_stem = nn.Conv2d(3, channels, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.act1 = nn.ReLU(inplace=True)
        stages = []
        for stage in cfgs:
            blocks = []
            for k, mid, out, se_ratio, s in stage:
                out_chs = make_divisible(out * width, 4)
                blocks.append(GhostBottleneck(channels, make_divisible(mid * width, 4), out_chs, k, s, se_ratio))
                channels = out_chs
            stages.append(nn.Sequential(*blocks))
        last_mid = cfgs[-1][-1][1]  # the head's width is the last bottleneck's mid (960)
        head_chs = make_divisible(last_mid * width, 4)
        stages.append(nn.Sequential(ConvBnAct(channels, head_chs, 1)))
        self.blocks = nn.Sequential(*stages)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.conv_head = nn.Conv2d(head_chs, 1280, 1, bias=True)
        self.act2 = nn.ReLU(inplace=True)
        self.classifier = nn.Linear(1280, num_classes)

    def forward(self, x):
        x = self.blocks(self.act1(self.bn1(self.conv_stem(x))))
        x = self.act2(self.conv_head(self.global_pool(x))).flatten(1)
        x = F.dropout(x, p=self.dropout, training=self.training)
        return self.classifier(x)


def ghostnet(num_classes=1000, width=1.0):
    return GhostNet(CFGS, num_classes, width)
