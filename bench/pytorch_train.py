#!/usr/bin/python3
"""The reference training run: `research train`'s recipe (src/Research.Training/Trainer.cs) written
as a careful PyTorch user would write it, so that time-to-accuracy can be compared.

  /usr/bin/python3 bench/pytorch_train.py --model mobilenet_v2 --width-mult 0.5 --small-input \
      --epochs 10 --threads 2

Data. Fashion-MNIST from the four IDX gz files (gzip + numpy, as FashionMnist.cs reads them);
--subset N keeps the first N training images, the test set is always the full 10,000. The
normalisation is the per-channel mean/std of the (subset) training pixels in [0, 1], computed like
ChannelStats.Of.
Why no torch.utils.data.DataLoader: the whole training set is 47 MB of uint8, so the data are
held as one uint8 tensor on the training device (the GPU too) and each batch is an index_select
with a seeded per-epoch permutation, then augmented batched on the device. A DataLoader with
worker processes would decode nothing here: it would only add per-sample Python collation, IPC
and worker threads competing with the training threads for the same cores. Ours does the same
work (DataLoader.cs gathers batch bytes on a background thread; on CUDA it pins and copies each
batch to the device, here the whole set is copied once).

Input pipeline, per batch, on the device (BatchTransform.cs): uint8 -> float /255 -> random crop
after zero padding --crop-padding (per-sample offsets, two gathers) -> random horizontal flip
p=0.5 -> bilinear resize to --resolution if it differs (align_corners=False) -> normalise ->
repeat a single channel to --in-channels -> cutout --cutout P (square of side 2*(ceil(0.5*size)//2)+1
around a uniform centre, clipped at the border, zero = the mean after normalisation).

Model: torchvision's build (torchvision_zoo.py) with --width-mult, --small-input (stride-1 stem,
no max-pool), the stem conv swapped for --in-channels (default the dataset's, 1), 10 classes,
the zoo's init scheme (identical in distribution to torchvision's own for these families).

Optimizer: SGD momentum 0.9 Nesterov (or --optimizer rmsprop|adamw as ours builds them), two
parameter groups as WeightDecayGroups.Split: tensors with dim > 1 (conv and linear weights) get
--weight-decay, 1-D ones (BN scales/shifts, biases) none. LR per iteration as CosineSchedule with
its built-in warmup: lr(s) = lr*s/W for s < W (so step 0 runs at lr 0), then
lr*(1+cos(pi*(s-W)/(T-W)))/2, W = round(warmup_epochs*steps_per_epoch) (half to even, like
Math.Round), T = epochs*steps_per_epoch. Label smoothing on float32 logits; --clip: global grad
norm; --ema D: shadow of every parameter and float buffer (integer buffers copied), decay
min(D, (1+n)/(10+n)) at update n, updated after every step, evaluated in place of the weights.
bf16 autocast on CUDA unless --no-bf16 (ours' default); none on CPU.

Output: one `name value...` line each, flushed: after every epoch
`epoch N val_top1 A wall_seconds S train_loss L` (+ lr, train_acc, val_loss, val_top5,
epoch_seconds, images_per_s), wall_seconds counted from the start of training (data loading and
model building excluded, evaluation included); at the end final_top1, best_top1, train_seconds
(the training epochs alone, evaluation excluded: Trainer.cs's train_seconds) and images_per_s
(training images / train_seconds).

Not reproduced exactly (see also bench/README.md): the random streams (epoch order: .NET's
Random in ours, torch.randperm here; weight init and augmentation draws come from the same
libtorch generator type but in a different order), so runs agree in distribution, not bit for
bit; no checkpoint is written per epoch (ours writes one; it falls outside train_seconds but
inside the wall time); drop-path/stochastic depth and dropout are torchvision's modules.
"""
import argparse
import contextlib
import gzip
import math
import os
import sys
import time

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import torchvision_zoo  # noqa: E402

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"


def out(line):
    print(line, flush=True)


def autocast(bf16):
    # Not torch.autocast("cuda", enabled=False): on a CPU-only build its bf16 check touches CUDA.
    return torch.autocast("cuda", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()


# ---------------------------------------------------------------- data

def read_idx(path, magic, ndim):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        raw = bytearray(f.read())  # writable, so torch.from_numpy needs no copy and does not warn
    got = int.from_bytes(raw[:4], "big")
    if got != magic:
        raise SystemExit(f"{path}: expected IDX magic 0x{magic:08X}, found 0x{got:08X}")
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != math.prod(dims):
        raise SystemExit(f"{path}: dimensions {dims} need {math.prod(dims)} bytes, found {data.size}")
    return data.reshape(dims)


def fashion_mnist(data_dir, part):
    def find(base):
        for name in (base + ".gz", base):
            if os.path.exists(os.path.join(data_dir, name)):
                return os.path.join(data_dir, name)
        raise SystemExit(f"{os.path.join(data_dir, base)}.gz: not found (apt-get install dataset-fashion-mnist)")
    images = read_idx(find(f"{part}-images-idx3-ubyte"), 0x803, 3)
    labels = read_idx(find(f"{part}-labels-idx1-ubyte"), 0x801, 1)
    if len(images) != len(labels):
        raise SystemExit(f"{data_dir}: {len(images)} {part} images but {len(labels)} labels")
    return images[:, None, :, :], labels.astype(np.int64)  # (N, 1, 28, 28) uint8, (N,) int64


def keep_labels(text, train_x, train_y, test_x, test_y):
    """The images of the listed classes only, relabelled 0..k-1 in the order listed."""
    wanted = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        wanted += list(range(int(lo), int(hi or lo) + 1))
    if not wanted or len(set(wanted)) != len(wanted) or not all(0 <= c < 10 for c in wanted):
        raise SystemExit(f"--labels {text}: expected distinct classes in 0-9, e.g. 0-4")
    remap = np.full(10, -1, dtype=np.int64)
    remap[wanted] = np.arange(len(wanted))
    keep_train, keep_test = remap[train_y] >= 0, remap[test_y] >= 0
    return train_x[keep_train], remap[train_y[keep_train]], test_x[keep_test], remap[test_y[keep_test]], len(wanted)


def channel_stats(images):
    """Per-channel mean and std of the pixels in [0, 1] (ChannelStats.Of: exact integer sums)."""
    c = images.shape[1]
    s = np.zeros(c, dtype=np.float64)
    s2 = np.zeros(c, dtype=np.float64)
    for i in range(0, len(images), 10_000):  # in chunks: int64 squares of 47 MB would be 376 MB
        chunk = images[i:i + 10_000].astype(np.int64)
        s += chunk.sum(axis=(0, 2, 3))
        s2 += (chunk * chunk).sum(axis=(0, 2, 3))
    n = len(images) * images.shape[2] * images.shape[3]
    mean = s / n / 255.0
    var = s2 / n / (255.0 * 255.0) - mean * mean
    return mean.astype(np.float32), np.sqrt(np.maximum(var, 1e-12)).astype(np.float32)


# ---------------------------------------------------------------- augmentation (batched, on the device)

def random_crop(x, padding):
    b, c, h, w = x.shape
    padded = F.pad(x, (padding, padding, padding, padding))
    oy = torch.randint(0, 2 * padding + 1, (b, 1), device=x.device)
    ox = torch.randint(0, 2 * padding + 1, (b, 1), device=x.device)
    rows = (oy + torch.arange(h, device=x.device)).view(b, 1, h, 1).expand(b, c, h, w + 2 * padding)
    cols = (ox + torch.arange(w, device=x.device)).view(b, 1, 1, w).expand(b, c, h, w)
    return padded.gather(2, rows).gather(3, cols)


def random_flip(x):
    flip = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
    return torch.where(flip, x.flip(3), x)


def cutout(x, p, fraction=0.5):
    b, _, h, w = x.shape
    half = math.ceil(fraction * min(h, w)) // 2
    cy = torch.randint(0, h, (b, 1, 1, 1), device=x.device)
    cx = torch.randint(0, w, (b, 1, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device).view(1, 1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, 1, w)
    box = ((ys - cy).abs() <= half) & ((xs - cx).abs() <= half)
    apply = torch.rand(b, 1, 1, 1, device=x.device) < p
    return x.masked_fill(box & apply, 0)


class BatchTransform:
    def __init__(self, mean, std, channels, resolution, device, crop_padding, flip, cutout_p, memory_format):
        self.mean = torch.tensor(mean, device=device).view(1, -1, 1, 1)
        self.std = torch.tensor(std, device=device).view(1, -1, 1, 1)
        self.channels, self.resolution = channels, resolution
        self.crop_padding, self.flip, self.cutout_p = crop_padding, flip, cutout_p
        self.memory_format = memory_format

    def __call__(self, images, train):
        x = images.float().div_(255.0)
        if train and self.crop_padding > 0:
            x = random_crop(x, self.crop_padding)
        if train and self.flip:
            x = random_flip(x)
        if x.shape[-1] != self.resolution or x.shape[-2] != self.resolution:
            x = F.interpolate(x, size=(self.resolution, self.resolution), mode="bilinear", align_corners=False)
        x = (x - self.mean) / self.std
        if x.shape[1] != self.channels:
            x = x.expand(-1, self.channels, -1, -1).contiguous()
        if train and self.cutout_p > 0:
            x = cutout(x, self.cutout_p)
        return x.contiguous(memory_format=self.memory_format)


# ---------------------------------------------------------------- optimisation

def weight_decay_groups(model, weight_decay):
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def cosine_with_warmup(total, warmup):
    """CosineSchedule(base, total, warmup) as a factor of the base rate."""
    def factor(step):
        if step < warmup:
            return step / warmup
        if step >= total:
            return 0.0
        return (1 + math.cos(math.pi * (step - warmup) / (total - warmup))) / 2
    return factor


class EMA:
    """ExponentialMovingAverage.cs with warmup: shadow <- d*shadow + (1-d)*value, d = min(decay, (1+n)/(10+n))."""

    def __init__(self, model, decay):
        self.decay, self.updates = decay, 0
        # state_dict() tensors share storage with the parameters and buffers, which the optimizer
        # and batch norm update in place, so these references stay current.
        self.current = list(model.state_dict().values())
        self.shadow = [t.detach().clone() for t in self.current]

    @torch.no_grad()
    def update(self):
        d = min(self.decay, (1.0 + self.updates) / (10.0 + self.updates))
        for s, t in zip(self.shadow, self.current):
            if s.is_floating_point():
                s.lerp_(t, 1 - d)
            else:
                s.copy_(t)
        self.updates += 1

    @torch.no_grad()
    def swap(self):
        """Exchanges the model's tensors and the averaged ones (call again to swap back)."""
        for s, t in zip(self.shadow, self.current):
            tmp = t.clone()
            t.copy_(s)
            s.copy_(tmp)


@torch.no_grad()
def evaluate(model, images, labels, transform, batch, bf16):
    model.eval()
    loss, top1, top5 = 0.0, 0, 0
    k = 5
    for i in range(0, len(images), batch):
        x = transform(images[i:i + batch], train=False)
        y = labels[i:i + batch]
        with autocast(bf16):
            logits = model(x)
        logits = logits.float()
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        hits = logits.topk(min(k, logits.shape[1]), 1).indices.eq(y.view(-1, 1))
        top1 += hits[:, :1].sum().item()
        top5 += hits.sum().item()
    model.train()
    n = len(images)
    return loss / n, 100.0 * top1 / n, 100.0 * top5 / n


# ---------------------------------------------------------------- main

def parse_args():
    p = argparse.ArgumentParser(description="research train's recipe in PyTorch (Fashion-MNIST)")
    p.add_argument("--model", default="mobilenet_v2", choices=torchvision_zoo.MODELS)
    p.add_argument("--width-mult", type=float, default=1.0)
    p.add_argument("--small-input", action="store_true", help="stride-1 stem without max-pool")
    p.add_argument("--in-channels", type=int, default=None, help="model input channels (default: the dataset's, 1)")
    p.add_argument("--resolution", type=int, default=None, help="model input size (default: the dataset's, 28)")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    p.add_argument("--subset", type=int, default=None, help="use only the first N training images")
    p.add_argument("--labels", default=None, help="keep only these classes, e.g. 0-4 or 1,3,5 (renumbered from 0 in that order)")
    p.add_argument("--save", default=None, help="write the final weights (the EMA's when on) here with torch.save(state_dict)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--optimizer", default="sgd", choices=["sgd", "rmsprop", "adamw"])
    p.add_argument("--lr", type=float, default=0.1, help="peak learning rate (after warmup)")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--no-nesterov", action="store_true")
    p.add_argument("--weight-decay", type=float, default=5e-5, help="on conv/linear weights only")
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--warmup-epochs", type=float, default=1.0)
    p.add_argument("--clip", type=float, default=0.0, help="global gradient-norm clip (0: off)")
    p.add_argument("--ema", type=float, default=None, help="weight EMA decay, e.g. 0.999 (default: off)")
    p.add_argument("--crop-padding", type=int, default=2)
    p.add_argument("--no-flip", action="store_true")
    p.add_argument("--cutout", type=float, default=0.0, help="cutout probability per image (0: off)")
    p.add_argument("--no-bf16", action="store_true", help="no bf16 autocast on CUDA")
    p.add_argument("--memory-format", default="contiguous", choices=["contiguous", "channels_last"])
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--cudnn-benchmark", action="store_true", help="(not in research train) cudnn.benchmark = True")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: all cores)")
    a = p.parse_args()
    problems = []
    if a.epochs < 1: problems.append(f"--epochs {a.epochs}: at least 1")
    if a.batch < 1: problems.append(f"--batch {a.batch}: at least 1")
    if not a.lr > 0: problems.append(f"--lr {a.lr}: positive")
    if not 0 <= a.warmup_epochs <= a.epochs: problems.append(f"--warmup-epochs {a.warmup_epochs}: in [0, epochs = {a.epochs}]")
    if not 0 <= a.label_smoothing < 1: problems.append(f"--label-smoothing {a.label_smoothing}: in [0, 1)")
    if a.ema is not None and not 0 < a.ema < 1: problems.append(f"--ema {a.ema}: in (0, 1)")
    if not 0 <= a.cutout <= 1: problems.append(f"--cutout {a.cutout}: in [0, 1]")
    if a.subset is not None and a.subset < 2: problems.append(f"--subset {a.subset}: at least 2")
    if a.crop_padding < 0 or a.clip < 0 or a.weight_decay < 0: problems.append("--crop-padding, --clip, --weight-decay: >= 0")
    if problems:
        p.error("; ".join(problems))
    return a


def main():
    a = parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.device == "auto":
        dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        dev = torch.device(a.device)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise SystemExit(f"--device {a.device}: no CUDA device is available (torch {torch.__version__})")
    if a.cudnn_benchmark:
        torch.backends.cudnn.benchmark = True
    bf16 = dev.type == "cuda" and not a.no_bf16
    fmt = torch.channels_last if a.memory_format == "channels_last" else torch.contiguous_format
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)

    t_data = time.perf_counter()
    train_x, train_y = fashion_mnist(a.data_dir, "train")
    test_x, test_y = fashion_mnist(a.data_dir, "t10k")
    classes = 10
    if a.labels is not None:
        train_x, train_y, test_x, test_y, classes = keep_labels(a.labels, train_x, train_y, test_x, test_y)
    if a.subset is not None:
        train_x, train_y = train_x[:a.subset], train_y[:a.subset]
    mean, std = channel_stats(train_x)
    train_x = torch.from_numpy(np.ascontiguousarray(train_x)).to(dev)
    train_y = torch.from_numpy(train_y).to(dev)
    test_x = torch.from_numpy(np.ascontiguousarray(test_x)).to(dev)
    test_y = torch.from_numpy(test_y).to(dev)
    data_seconds = time.perf_counter() - t_data

    channels = a.in_channels or train_x.shape[1]
    resolution = a.resolution or train_x.shape[-1]
    if channels != train_x.shape[1] and train_x.shape[1] != 1:
        raise SystemExit(f"cannot feed {train_x.shape[1]}-channel images to a {channels}-channel model")
    model = torchvision_zoo.build(a.model, classes, channels, a.width_mult, a.small_input)
    model.to(dev).to(memory_format=fmt).train()
    transform = BatchTransform(mean, std, channels, resolution, dev, a.crop_padding, not a.no_flip, a.cutout, fmt)

    n_train = len(train_x)
    drop_last = n_train >= a.batch
    steps = n_train // a.batch if drop_last else math.ceil(n_train / a.batch)
    groups = weight_decay_groups(model, a.weight_decay)
    if a.optimizer == "sgd":
        opt = torch.optim.SGD(groups, lr=a.lr, momentum=a.momentum, nesterov=not a.no_nesterov and a.momentum > 0)
    elif a.optimizer == "rmsprop":  # EfficientNet's: decay 0.9, eps 1e-3
        opt = torch.optim.RMSprop(groups, lr=a.lr, alpha=0.9, eps=1e-3, momentum=a.momentum)
    else:
        opt = torch.optim.AdamW(groups, lr=a.lr)
    warmup_steps = round(a.warmup_epochs * steps)  # half to even, as C#'s Math.Round
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_with_warmup(a.epochs * steps, warmup_steps))
    ema = EMA(model, a.ema) if a.ema is not None else None
    eval_batch = max(a.batch, 256)

    out(f"torch {torch.__version__}")
    out(f"model {a.model} params {torchvision_zoo.parameter_count(model)} input {channels}x{resolution}x{resolution}"
        f"{' small-input' if a.small_input else ''} width_mult {a.width_mult}")
    out(f"dataset fashion-mnist train {n_train} test {len(test_x)} device {dev} threads {torch.get_num_threads()}")
    out(f"recipe epochs {a.epochs} batch {a.batch} steps_per_epoch {steps} optimizer {a.optimizer} lr {a.lr} "
        f"weight_decay {a.weight_decay} label_smoothing {a.label_smoothing} warmup_steps {warmup_steps} clip {a.clip} "
        f"ema {a.ema if a.ema is not None else 'off'} crop_padding {a.crop_padding} flip {not a.no_flip} cutout {a.cutout} "
        f"memory_format {a.memory_format} bf16 {bf16} seed {a.seed}")
    out(f"data_seconds {data_seconds:.2f}")

    history = []
    train_seconds = 0.0
    trained = 0
    loss_sum = torch.zeros((), dtype=torch.float64, device=dev)
    correct = torch.zeros((), dtype=torch.int64, device=dev)
    start = time.perf_counter()
    for epoch in range(a.epochs):
        t_epoch = time.perf_counter()
        model.train()
        loss_sum.zero_()
        correct.zero_()
        seen = 0
        gen = torch.Generator().manual_seed(a.seed * 1_000_003 + epoch * 7_919 + 0x5EED)
        order = torch.randperm(n_train, generator=gen).to(dev)
        for step in range(steps):
            idx = order[step * a.batch:(step + 1) * a.batch]
            x = transform(train_x.index_select(0, idx), train=True)
            y = train_y.index_select(0, idx)
            with autocast(bf16):
                logits = model(x)
            logits = logits.float()
            loss = F.cross_entropy(logits, y, label_smoothing=a.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if a.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            sched.step()
            if ema is not None:
                ema.update()
            with torch.no_grad():
                loss_sum += loss.detach().double() * len(idx)
                correct += (logits.argmax(1) == y).sum()
            seen += len(idx)
            if (step + 1) % 50 == 0 or step + 1 == steps:  # the same divergence check (and sync) as ours
                if not math.isfinite(loss_sum.item()):
                    raise SystemExit(f"training diverged: the loss is NaN or infinite at epoch {epoch + 1}, step {step + 1}")
        train_loss = loss_sum.item() / seen
        train_acc = 100.0 * correct.item() / seen
        epoch_seconds = time.perf_counter() - t_epoch
        train_seconds += epoch_seconds
        trained += seen
        if ema is not None:
            ema.swap()
        val_loss, top1, top5 = evaluate(model, test_x, test_y, transform, eval_batch, bf16)
        if ema is not None:
            ema.swap()
        history.append(top1)
        out(f"epoch {epoch + 1} val_top1 {top1:.2f} wall_seconds {time.perf_counter() - start:.2f} train_loss {train_loss:.4f} "
            f"lr {opt.param_groups[0]['lr']:.4g} train_acc {train_acc:.2f} val_loss {val_loss:.4f} val_top5 {top5:.2f} "
            f"epoch_seconds {epoch_seconds:.2f} images_per_s {seen / epoch_seconds:.1f}")

    best = max(range(len(history)), key=lambda i: (history[i], -i))
    out(f"final_top1 {history[-1]:.2f}")
    out(f"best_top1 {history[best]:.2f} epoch {best + 1}")
    out(f"train_seconds {train_seconds:.2f}")
    out(f"images_per_s {trained / max(train_seconds, 1e-9):.2f}")
    if a.save is not None:
        if ema is not None:
            ema.swap()  # the averaged weights are the ones that were evaluated
        torch.save(model.state_dict(), a.save)
        out(f"saved {a.save}")


if __name__ == "__main__":
    main()
