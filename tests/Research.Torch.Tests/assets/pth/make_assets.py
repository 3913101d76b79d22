"""Makes the .pth files PthFileTests reads, with PyTorch itself (Debian's torch 1.13 works).

  /usr/bin/python3 make_assets.py              writes tiny_state_dict.pth and tiny_state_dict.json
                                               next to this script (committed test assets)
  /usr/bin/python3 make_assets.py --cases DIR  writes the larger and hostile cases the tests
                                               generate on the fly into DIR

Expected values go beside each file: for the committed asset a JSON with every tensor's name,
dtype, shape, saved stride and flattened values; for the cases a JSON index into a .bin of each
tensor's raw little-endian row-major bytes, so comparisons are exact for every dtype.
"""
import collections
import json
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

# Same-size integer views give every dtype's raw bytes through numpy (which has no bfloat16).
BYTE_VIEW = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def tiny_model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(16, 5))
    # Non-trivial running statistics and counter: one training-mode forward pass.
    model.train()
    model(torch.randn(2, 3, 4, 4))
    # A saved-as-is transposed view: the Linear weight stored with stride (1, 5).
    with torch.no_grad():
        model[3].weight = nn.Parameter(torch.randn(16, 5).t())
    return model


def write_tiny():
    sd = tiny_model().state_dict()
    assert not sd["3.weight"].is_contiguous()
    torch.save(sd, os.path.join(HERE, "tiny_state_dict.pth"))
    tensors = []
    for name, t in sd.items():
        values = t.double().flatten().tolist() if t.dtype.is_floating_point else t.flatten().tolist()
        tensors.append({"name": name, "dtype": dtype_name(t), "shape": list(t.shape), "stride": list(t.stride()), "values": values})
    # One tensor a line keeps the file readable and its diffs small.
    lines = ",\n".join("  " + json.dumps(t) for t in tensors)
    with open(os.path.join(HERE, "tiny_state_dict.json"), "w") as f:
        f.write('{"torch": %s, "tensors": [\n%s\n]}\n' % (json.dumps(torch.__version__), lines))


def save_with_expected(directory, case, obj, tensors):
    torch.save(obj, os.path.join(directory, case + ".pth"))
    index, blob = [], bytearray()
    for name, t in tensors.items():
        raw = t.contiguous().view(BYTE_VIEW[t.element_size()]).numpy().tobytes()
        index.append({"name": name, "dtype": dtype_name(t), "shape": list(t.shape), "offset": len(blob), "length": len(raw)})
        blob += raw
    with open(os.path.join(directory, case + ".expected.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(directory, case + ".expected.bin"), "wb") as f:
        f.write(blob)


class RunsACommand:
    """Unpickling this would run a shell command: the reader must refuse it, not run it."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class EvaluatesText:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("__import__('os').system('true')",))


class PlainObject:
    def __init__(self):
        self.weight = torch.ones(2)


def write_cases(directory):
    # Without torchvision the MobileNet case is left out (its test is skipped), not the rest.
    try:
        import torchvision
    except ImportError:
        torchvision = None
    if torchvision is not None:
        torch.manual_seed(1)
        mobilenet = torchvision.models.mobilenet_v2(num_classes=10)
        mobilenet.train()
        mobilenet(torch.randn(2, 3, 32, 32))
        sd = mobilenet.state_dict()
        save_with_expected(directory, "mobilenet_v2", sd, sd)

    dtypes = collections.OrderedDict()
    dtypes["bf16"] = torch.randn(3, 4).to(torch.bfloat16)
    dtypes["fp16"] = torch.randn(2, 5).to(torch.float16)
    dtypes["fp64"] = torch.randn(3, dtype=torch.float64)
    dtypes["int8"] = torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8)
    dtypes["uint8"] = torch.tensor([0, 7, 255], dtype=torch.uint8)
    dtypes["int16"] = torch.tensor([[-32768, 32767]], dtype=torch.int16)
    dtypes["int32"] = torch.tensor([-2**31, 2**31 - 1], dtype=torch.int32)
    dtypes["int64"] = torch.tensor([-2**63, 2**63 - 1], dtype=torch.int64)
    dtypes["bool"] = torch.tensor([[True, False, True], [False, False, True]])
    dtypes["scalar"] = torch.tensor(2.5)
    dtypes["empty"] = torch.zeros(0, 3)
    dtypes["bf16_transposed"] = torch.randn(4, 3).to(torch.bfloat16).t()
    save_with_expected(directory, "dtypes", dtypes, dtypes)

    # Views into one storage, saved together: torch.save writes the storage once.
    base = torch.arange(40, dtype=torch.float32)
    grid = base.view(5, 8)
    shared = collections.OrderedDict()
    shared["base"] = base
    shared["slice"] = base[10:20]                 # offset 10
    shared["columns"] = grid[:, 2:5]              # offset 2, stride (8, 1)
    shared["transposed_rows"] = grid[1:4].t()     # offset 8, stride (1, 8)
    shared["every_other"] = grid[::2, 1::3]       # offset 1, stride (16, 3)
    shared["element"] = grid[4, 7]                # 0-dim, offset 39
    shared["tied"] = base                         # the same tensor twice (tied weights)
    save_with_expected(directory, "shared_views", shared, shared)

    params = collections.OrderedDict(tiny_model().named_parameters())
    save_with_expected(directory, "parameters", params, {k: v.detach() for k, v in params.items()})

    small = tiny_model().state_dict()
    save_with_expected(directory, "wrapped_state_dict", {"epoch": 3, "state_dict": small, "optimizer": {"lr": 0.1, "state": {}}}, small)
    save_with_expected(directory, "wrapped_model", {"model": small, "arch": "tiny"}, small)

    torch.save({"encoder": small, "decoder": small}, os.path.join(directory, "nested_without_state_dict.pth"))
    torch.save({"weight": torch.ones(2), "epoch": 3}, os.path.join(directory, "int_value.pth"))
    torch.save(small, os.path.join(directory, "legacy.pth"), _use_new_zipfile_serialization=False)

    marker = os.path.join(directory, "pwned")
    torch.save({"weight": torch.ones(2), "payload": RunsACommand("touch " + marker)}, os.path.join(directory, "runs_a_command.pth"))
    torch.save({"payload": EvaluatesText()}, os.path.join(directory, "evaluates_text.pth"))
    torch.save({"model": PlainObject()}, os.path.join(directory, "plain_object.pth"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--cases":
        write_cases(sys.argv[2])
    elif len(sys.argv) == 1:
        write_tiny()
    else:
        sys.exit(__doc__)
