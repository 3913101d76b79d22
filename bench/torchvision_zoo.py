"""torchvision's builds of the zoo's families, adapted the way the zoo adapts its own models.

Shared by pytorch_train_step.py and pytorch_train.py (import it from the same directory).
ghostnet_1_0, which torchvision lacks, comes from references/ghostnet.py (the official code's layout).

- in_channels: the stem's first conv is replaced by one with that many input channels and the
  same geometry (torchvision always builds 3).
- small_input: what the zoo's SmallInput means (NetworkSpec.EffectiveStem): the stem conv has
  stride 1 and the stem's max-pool (ShuffleNetV2's) is dropped; the rest is unchanged.
- width_mult: torchvision's own width multiplier (same _make_divisible rounding as the zoo's
  Rounding.MakeDivisible), GhostNet's width (rounded to 4); ShuffleNetV2 has none, as in the zoo.
- init: the zoo's InitScheme (NetworkBuilder.Initialize), re-applied over the whole model so the
  replaced stem conv gets it too. For these families it is exactly torchvision's own init:
  MobileNet (mobilenet_v2, mobilenet_v3_*): conv kaiming_normal fan_out (gain sqrt 2; torchvision's
  default nonlinearity leaky_relu with a=0 has the same gain as our "relu"), BN (1, 0),
  Linear N(0, 0.01), zero biases; EfficientNet: the same but Linear U(+-1/sqrt(out_features));
  Default (shufflenet_v2_*, ghostnet_1_0): PyTorch's layer defaults, which torchvision and the
  official GhostNet code keep too.
  The distributions match ours; the draws do not (different module order, different code).
"""
import os
import sys

import torch
import torchvision
from torch import nn
from torchvision.models import efficientnet

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "references"))
import ghostnet  # noqa: E402

SCHEMES = {
    "efficientnet_b0": "efficientnet",
    "ghostnet_1_0": "default",
    "mobilenet_v2": "mobilenet",
    "mobilenet_v3_large": "mobilenet",
    "mobilenet_v3_small": "mobilenet",
    "shufflenet_v2_x0_5": "default",
    "shufflenet_v2_x1_0": "default",
    "shufflenet_v2_x1_5": "default",
    "shufflenet_v2_x2_0": "default",
}
MODELS = sorted(SCHEMES)


def _torchvision_model(name, classes, width_mult):
    tv = torchvision.models
    if name == "ghostnet_1_0":
        return ghostnet.ghostnet(num_classes=classes, width=width_mult)
    if name.startswith("shufflenet"):
        if width_mult != 1.0:
            raise SystemExit(f"{name} has no width multiplier (its widths are fixed per variant)")
        return getattr(tv, name)(num_classes=classes)
    if name == "efficientnet_b0":
        # efficientnet_b0() fixes width 1.0; build B0's table at the asked width instead.
        conf, last = efficientnet._efficientnet_conf("efficientnet_b0", width_mult=width_mult, depth_mult=1.0)
        return efficientnet.EfficientNet(conf, 0.2, last_channel=last, num_classes=classes)
    return getattr(tv, name)(num_classes=classes, width_mult=width_mult)


def _initialize(model, scheme):
    if scheme == "default":
        return
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            if scheme == "mobilenet":
                nn.init.normal_(m.weight, 0, 0.01)
            else:
                r = 1.0 / m.out_features ** 0.5
                nn.init.uniform_(m.weight, -r, r)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def _stem_conv(name, model):
    """(module, attribute) holding the stem's first conv."""
    if name == "ghostnet_1_0":
        return model, "conv_stem"
    return (model.conv1, "0") if name.startswith("shufflenet") else (model.features[0], "0")


def build(name, classes=10, in_channels=3, width_mult=1.0, small_input=False):
    if name not in SCHEMES:
        raise SystemExit(f"unknown model '{name}': the PyTorch references are {', '.join(MODELS)}")
    model = _torchvision_model(name, classes, width_mult)
    parent, attr = _stem_conv(name, model)
    old = getattr(parent, attr)
    stride = (1, 1) if small_input else old.stride
    if in_channels != old.in_channels or stride != old.stride:
        setattr(parent, attr, nn.Conv2d(in_channels, old.out_channels, old.kernel_size, stride, old.padding,
                                        groups=old.groups, bias=old.bias is not None))
    if small_input and name.startswith("shufflenet"):
        model.maxpool = nn.Identity()
    _initialize(model, SCHEMES[name])
    return model


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())
