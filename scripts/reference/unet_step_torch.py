"""PyTorch reference for `npm run bench:engine`: the same U-Net as Pulmo's multi-class Inf-Net
(bilinear Inf_Net_UNet, base 16: levels 16-32-64-128-128, conv 3x3 without bias + BN + ReLU, 1x1
head), the same loss (softmax cross-entropy + soft Dice over the foreground classes) and Adam, one
training step at batch 4 x 256^2 on random inputs, on the CPU with the given threads. Prints one
JSON line per memory format (NCHW and channels_last) with the median step time.

    python3 scripts/reference/unet_step_torch.py [--threads 2] [--steps 3] [--batch 4] [--size 256]
(Debian: apt-get install python3-torch; run with /usr/bin/python3.)
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Sequential):
    def __init__(self, cin, cout, mid=None):
        mid = mid or cout
        super().__init__(
            nn.Conv2d(cin, mid, 3, padding=1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = DoubleConv(cin, cout, cin // 2)

    def forward(self, x, skip):
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return self.conv(torch.cat([skip, x], 1))


class UNet(nn.Module):
    def __init__(self, channels=2, classes=3, f=16):
        super().__init__()
        self.inc = DoubleConv(channels, f)
        self.downs = nn.ModuleList([DoubleConv(f, 2 * f), DoubleConv(2 * f, 4 * f), DoubleConv(4 * f, 8 * f), DoubleConv(8 * f, 8 * f)])
        self.ups = nn.ModuleList([Up(16 * f, 4 * f), Up(8 * f, 2 * f), Up(4 * f, f), Up(2 * f, f)])
        self.outc = nn.Conv2d(f, classes, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(F.max_pool2d(skips[-1], 2)))
        y = skips.pop()
        for up in self.ups:
            y = up(y, skips.pop())
        return self.outc(y)


def loss_fn(logits, target_onehot):
    ce = -(target_onehot * F.log_softmax(logits, 1)).sum(1).mean()
    p = F.softmax(logits, 1)[:, 1:]
    g = target_onehot[:, 1:]
    inter = (p * g).sum((0, 2, 3))
    sizes = p.sum((0, 2, 3)) + g.sum((0, 2, 3))
    dice = (1 - (2 * inter + 1) / (sizes + 1)).mean()
    return ce + dice


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--size", type=int, default=256)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    for fmt_name, fmt in (("NCHW", torch.contiguous_format), ("channels_last", torch.channels_last)):
        model = UNet().to(memory_format=fmt)
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        x = torch.rand(a.batch, 2, a.size, a.size).to(memory_format=fmt)
        labels = torch.randint(0, 3, (a.batch, a.size, a.size))
        target = F.one_hot(labels, 3).permute(0, 3, 1, 2).float().to(memory_format=fmt)
        times, cpu = [], []
        for i in range(a.steps + 1):
            c0, t0 = time.process_time(), time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(x), target)
            loss.backward()
            opt.step()
            loss.item()
            if i > 0:
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
        params = sum(p.numel() for p in model.parameters())
        print(json.dumps({"model": "unet", "backend": f"pytorch-{fmt_name}", "batch": a.batch, "size": a.size,
                          "trainStepMs": round(statistics.median(times)), "trainStepCpuMs": round(statistics.median(cpu)),
                          "threads": a.threads, "params": params, "trainStepsMs": [round(t) for t in times],
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
