"""Many small MLPs at once: drawn from an initialisation prior, run on every input, trained side by side.

The simplicity-bias studies (`compare.studies.prior`, `compare.studies.posterior`,
`compare.studies.learnability`) need 10^4 to 10^8 networks of a few thousand weights each. A Python loop
over networks costs more than their arithmetic, so a batch of B networks lives in stacked tensors:

- layer k's weights W_k (B, fan_in, fan_out) and biases b_k (B, fan_out); the first layer is laid out
  (fan_in, B, fan_out) in memory so that ``X (m, n) @ W_1 (n, B·h_1)`` is one matrix product for the batch;
- every later layer is one ``baddbmm`` over the batch; no Python loop over networks;
- weights and activations live in buffers allocated once per batch shape and reused: with two threads,
  allocating fresh 10–40 MB activations for every batch made the forward pass 2.7x slower (measured with
  7-40-40-1 ReLU networks on 128 inputs: 17.5 µs per network against 6.4 µs with reused buffers).

**Random streams.** The normals of batch ``index`` of stream ``seed`` are drawn in fixed chunks of
``CHUNK`` numbers, chunk j from its own generator seeded with ``SeedSequence([seed, index, j])``, on
``torch.get_num_threads()`` threads. A network therefore depends on (seed, batch size, batch index, its
place in the batch) only — never on the number of threads or processes, nor on how batches are grouped.

**Initialisation conventions** (`NetPrior.init`):

``standard``
    W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²), as `compare.MLP` and the code of Valle-Pérez et al. 2019
    (``guillefix/nn-pacbayes``, ``generate_NN_arch.py``: ``VarianceScaling(scale=sigmaw**2,
    mode='fan_in')`` weights, ``RandomNormal(stddev=sigmab)`` biases).
``mingard2025``
    W ~ N(0, σ_w²/fan_in), b ~ N(0, (σ_b σ_w / fan_out)²): the convention of the code published with
    Mingard et al. 2025, "Deep neural networks have an inbuilt Occam's razor" (repository
    ``C1510/OccamsRazor``, ``Plot1/data/sample_1abgh.py``, ``DNN.reset_weights``: biases drawn with scale
    ``bias_magnitude / v.shape[0]``, ``bias_magnitude = sigmab * sw``, v the bias vector, so fan_out —
    1 for the output bias). Their prior figures use n = 7, ten hidden tanh layers of width 64, inputs in
    {0, 1}, σ_b = 0.1 and σ_w from 1 (ordered) to 8 (chaotic). Their code applies the activation to the
    output too; tanh and ReLU keep the sign, so the function (logit > 0) is the same.

>>> prior = NetPrior(n_inputs=3, widths=(8,))
>>> batch = NetBatch(prior, 4).draw(seed=0, index=0)
>>> batch.forward(prior.all_inputs()).shape       # 4 networks x 8 inputs
torch.Size([4, 8])
"""

from __future__ import annotations

import dataclasses
import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from ..errors import CompareError
from .nets import ACTIVATIONS, activation_fn

__all__ = ["INITS", "INPUT_ENCODINGS", "CHUNK", "NetFields", "NET_FIELDS",
           "NetPrior", "NetBatch", "BatchRunner", "all_inputs", "pack_tables", "table_ints", "parse_widths",
           "forward", "BatchTraining", "train_batch", "OPTIMIZERS"]

INITS = ("standard", "mingard2025")
INPUT_ENCODINGS = ("01", "pm1")
CHUNK = 1 << 18           # normals per generator: part of the definition of the random stream
LABEL_TOL = 1e-4          # logits this close to 0 (relative to the network's largest) are redone in float64
OPTIMIZERS = ("adam", "sgd")
SMALL_TRAINING = 1 << 20  # networks x points x width below which training runs on one thread
MAX_INPUTS = 16


def all_inputs(n: int, encoding: str = "01", dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """All 2^n inputs as rows: row t is (x_0, ..., x_{n-1}) with x_i = (t >> i) & 1 (or ±1 for "pm1").

    >>> all_inputs(2).tolist()
    [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    """
    t = torch.arange(1 << n)
    x = ((t[:, None] >> torch.arange(n)[None, :]) & 1).to(dtype)
    return x * 2 - 1 if encoding == "pm1" else x


def parse_widths(text: str, option: str = "--widths") -> tuple[int, ...]:
    """Hidden widths from the command line: ``40,40`` or ``64x10`` (ten layers of 64); ``""`` is none.

    >>> parse_widths("40,40"), parse_widths("64x3"), parse_widths("")
    ((40, 40), (64, 64, 64), ())
    """
    out: list[int] = []
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            w, x, reps = part.partition("x")
            k = int(reps) if x else 1
            if k < 1:
                raise ValueError(part)
            out += [int(w)] * k
    except ValueError:
        raise CompareError(f"{option}: expected widths such as 40,40 or 64x10, got {text!r}") from None
    if any(w < 1 for w in out):
        raise CompareError(f"{option}: widths must be >= 1, got {text!r}")
    return tuple(out)


def pack_tables(labels: np.ndarray) -> np.ndarray:
    """Boolean labels (count, 2^n) -> truth tables (count, words) uint64: bit t of the table = labels[:, t].

    >>> hex(int(pack_tables(np.array([[0, 1, 0, 1, 0, 1, 0, 1]], dtype=bool))[0, 0]))
    '0xaa'
    """
    count, m = labels.shape
    words = max(1, (m + 63) // 64)
    packed = np.packbits(labels, axis=1, bitorder="little")
    buf = np.zeros((count, words * 8), dtype=np.uint8)
    buf[:, :packed.shape[1]] = packed
    return buf.view("<u8").reshape(count, words)


def table_ints(rows: np.ndarray) -> list[int]:
    """Truth tables packed by `pack_tables` (words least significant first) as Python ints.

    >>> table_ints(pack_tables(np.array([[0, 1, 0, 1, 0, 1, 0, 1]], dtype=bool)))
    [170]
    """
    if rows.shape[1] == 1:
        return rows[:, 0].tolist()
    acc = rows[:, -1].astype(object)
    for j in range(rows.shape[1] - 2, -1, -1):
        acc = (acc << 64) | rows[:, j].astype(object)
    return acc.tolist()


@dataclass(frozen=True)
class NetFields:
    """The fields that define an MLP and its initialisation distribution. The study configurations
    (`compare.studies.prior.PriorConfig`, `compare.studies.posterior.PosteriorConfig`) inherit them, so they
    stay flat in JSON and on the command line; ``net`` gives the validated `NetPrior`.

    Parameters
    ----------
    n_inputs : Boolean inputs; the network maps them to one logit (label = logit > 0).
    widths : hidden layer widths, e.g. ``(40, 40)`` for Valle-Pérez et al.'s 7-40-40-1 network.
    activation : one of `compare.networks.nets.ACTIVATIONS`.
    sigma_w, sigma_b : initialisation scales (see ``init``).
    bias : whether the layers have biases.
    init : ``standard`` or ``mingard2025`` (module docstring).
    inputs : ``01`` (x in {0,1}^n) or ``pm1`` (x in {-1,+1}^n).
    """

    n_inputs: int = 5
    widths: tuple[int, ...] = (40, 40)
    activation: str = "relu"
    sigma_w: float = 1.0
    sigma_b: float = 0.0
    bias: bool = True
    init: str = "standard"
    inputs: str = "01"

    @property
    def net(self) -> "NetPrior":
        """The network and its initialisation distribution."""
        return NetPrior(**{k: getattr(self, k) for k in NET_FIELDS})

    @property
    def label(self) -> str:
        """Short description, e.g. ``5-40-40-1 relu, standard init, σw=1, σb=0``."""
        arch = "-".join(str(x) for x in (self.n_inputs, *self.widths, 1))
        b = f"σb={self.sigma_b:g}" if self.bias else "no bias"
        return f"{arch} {self.activation}, {self.init} init, σw={self.sigma_w:g}, {b}"

    def as_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready values (tuples as lists)."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
                for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Any:
        """The inverse of `as_dict`; an unknown key is an error that lists the known ones."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise CompareError(f"{cls.__name__}: unknown key(s) {unknown} (known: {sorted(known)})")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


NET_FIELDS = tuple(f.name for f in dataclasses.fields(NetFields))


@dataclass(frozen=True)
class NetPrior(NetFields):
    """An MLP architecture and the distribution of its initial weights (the prior over functions); the
    fields are those of `NetFields`."""

    def __post_init__(self) -> None:
        validate_net_fields(self, "NetPrior")

    @property
    def dims(self) -> list[tuple[int, int]]:
        """(fan_in, fan_out) of every layer, the output layer last."""
        d = [self.n_inputs, *self.widths, 1]
        return list(zip(d[:-1], d[1:]))

    def bias_sd(self, fan_out: int) -> float:
        """Standard deviation of a bias of a layer with ``fan_out`` outputs."""
        if self.init == "standard":
            return self.sigma_b
        return self.sigma_b * self.sigma_w / fan_out

    def all_inputs(self) -> torch.Tensor:
        """The 2^n input rows in this prior's encoding (see `all_inputs`)."""
        return all_inputs(self.n_inputs, self.inputs)

    @property
    def net(self) -> "NetPrior":
        return self


def validate_net_fields(obj: Any, owner: str) -> None:
    """Check and normalise the NetPrior fields of a frozen dataclass ``obj`` (errors name ``owner.key``)."""
    def bad(key: str, why: str) -> CompareError:
        return CompareError(f"{owner}.{key}: {why}, got {getattr(obj, key)!r}")

    n = obj.n_inputs
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_INPUTS:
        raise bad("n_inputs", f"must be an int in 1..{MAX_INPUTS}")
    object.__setattr__(obj, "n_inputs", int(n))
    raw = (obj.widths,) if isinstance(obj.widths, (int, np.integer)) else obj.widths
    try:
        widths = tuple(int(w) for w in raw)
        ok = all(float(w) == float(v) for w, v in zip(widths, raw)) and all(w >= 1 for w in widths)
    except (TypeError, ValueError):
        ok = False
    if not ok or any(isinstance(v, bool) for v in raw):
        raise bad("widths", "must be a sequence of positive ints")
    object.__setattr__(obj, "widths", widths)
    if obj.activation not in ACTIVATIONS:
        raise bad("activation", f"must be one of {', '.join(ACTIVATIONS)}")
    for key in ("sigma_w", "sigma_b"):
        v = getattr(obj, key)
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) or not math.isfinite(v) or v < 0:
            raise bad(key, "must be a finite number >= 0")
        object.__setattr__(obj, key, float(v))
    if obj.sigma_w <= 0:
        raise bad("sigma_w", "must be > 0")
    if not isinstance(obj.bias, bool):
        raise bad("bias", "must be True or False")
    if obj.init not in INITS:
        raise bad("init", f"must be one of {', '.join(INITS)}")
    if obj.inputs not in INPUT_ENCODINGS:
        raise bad("inputs", f"must be one of {', '.join(INPUT_ENCODINGS)}")


# ------------------------------------------------------------------------------------------ sampling

_POOL: dict[int, ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    if threads not in _POOL:
        _POOL[threads] = ThreadPoolExecutor(threads, thread_name_prefix="occam-randn")
    return _POOL[threads]


def _generator(seed: int, index: int, chunk: int) -> torch.Generator:
    state = np.random.SeedSequence([int(seed), int(index), int(chunk)]).generate_state(2, np.uint32)
    g = torch.Generator(device="cpu")
    g.manual_seed(int(state[0]) << 31 ^ int(state[1]))
    return g


def _fill_normal(buf: torch.Tensor, seed: int, index: int) -> None:
    """Fill the 1-D ``buf`` with standard normals of stream (seed, index), chunk j from its own generator."""
    n = buf.numel()

    def fill(j: int) -> None:
        lo = j * CHUNK
        torch.randn(min(CHUNK, n - lo), generator=_generator(seed, index, j), out=buf[lo:lo + CHUNK])

    chunks = range(-(-n // CHUNK))
    threads = min(torch.get_num_threads(), len(chunks))
    if threads <= 1:
        for j in chunks:
            fill(j)
    else:   # torch releases the GIL inside randn, so the chunks are drawn in parallel
        list(_pool(threads).map(fill, chunks))


class NetBatch:
    """``size`` networks of one `NetPrior` in reusable buffers.

    ``draw(seed, index)`` fills the weights with batch ``index`` of the random stream ``seed``;
    ``forward(X)`` gives the logits (size, m) and ``labels(X)`` the labels; ``layers`` gives copies of the
    scaled weights. The drawn weights and the returned logits are overwritten by the next call: copy
    what you keep.
    """

    def __init__(self, prior: NetPrior, size: int) -> None:
        if not isinstance(prior, NetPrior):
            raise CompareError(f"NetBatch needs a NetPrior, got {type(prior).__name__}")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise CompareError(f"NetBatch size must be an int >= 1, got {size!r}")
        self.prior, self.size = prior, size
        dims = prior.dims
        n_w = sum(a * b for a, b in dims) * size
        n_b = sum(b for _, b in dims) * size if prior.bias else 0
        # weights first, then biases: with σ_b = 0 only the weights are drawn
        self._flat = torch.zeros(n_w + n_b)
        self._draw_biases = prior.bias and prior.sigma_b > 0
        self._raw: list[tuple[torch.Tensor, torch.Tensor | None]] = []
        self._alphas: list[float] = []                 # weight scales, applied as addmm/baddbmm's alpha
        self._bias_views: list[tuple[torch.Tensor, float]] = []
        pw, pb = 0, n_w
        for k, (fan_in, fan_out) in enumerate(dims):
            w = self._flat[pw:pw + size * fan_in * fan_out]
            pw += w.numel()
            W = w.view(fan_in, size, fan_out).transpose(0, 1) if k == 0 else w.view(size, fan_in, fan_out)
            self._alphas.append(prior.sigma_w / math.sqrt(fan_in))
            b = None
            if prior.bias:
                b = self._flat[pb:pb + size * fan_out].view(size, fan_out)
                pb += size * fan_out
                if self._draw_biases:
                    self._bias_views.append((b, prior.bias_sd(fan_out)))
            self._raw.append((W, b))
        self._n_drawn = n_w + (n_b if self._draw_biases else 0)
        self._buffers: dict[int, list[torch.Tensor]] = {}

    def draw(self, seed: int, index: int) -> "NetBatch":
        """Fill the weights with batch ``index`` of stream ``seed``; returns self.

        The weights are kept as standard normals and scaled inside the matrix products (their ``alpha``),
        which saves a pass over them; the biases are scaled here.
        """
        _fill_normal(self._flat[:self._n_drawn], seed, index)
        for view, scale in self._bias_views:
            view.mul_(scale)
        return self

    @property
    def layers(self) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
        """The networks' weights, scaled: (W (size, fan_in, fan_out), b (size, fan_out) or None) per layer
        (new tensors; W[i] is the transpose of `compare.MLP`'s ``linears[k].weight`` for network i)."""
        return [(W * a, None if b is None else b.clone()) for (W, b), a in zip(self._raw, self._alphas)]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Logits (size, m) of every network on the rows of X (m, n); a view of a reused buffer."""
        m = X.shape[0]
        if m not in self._buffers:
            self._buffers[m] = [torch.empty(m, self.size * self.prior.widths[0]) if self.prior.widths else
                                torch.empty(m, self.size)] + \
                               [torch.empty(self.size, m, w) for w in (*self.prior.widths[1:], 1)]
        return forward(self._raw, X, self.prior.activation, out=self._buffers[m], alphas=self._alphas)

    def labels(self, X: torch.Tensor, idx: torch.Tensor | None = None, *, tol: float = LABEL_TOL
               ) -> torch.Tensor:
        """Labels (size, m) bool (logit > 0) of every network, or (len(idx), m) of the networks ``idx``;
        the same whatever the threads, batch layout or CPU kernels.

        Float32 matrix products round differently with the number of threads (measured: a quarter of the
        first layer's outputs differ in the last bit between 1 and 2 threads), which flips the label of a
        logit that lies within rounding of 0. So every network with a non-zero logit within ``tol`` times
        its largest |logit| is run again in float64 (from the same weights) and labelled from that; a
        flip would then need a logit within about 1e-15 of 0. Exact zeros (no bias and x = 0; all units
        of a layer dead) are zero in both precisions and get label 0.
        """
        if idx is None:
            z = self.forward(X)
            raw = self._raw
        else:
            idx = torch.as_tensor(idx, dtype=torch.long)
            raw = [(W[idx], None if b is None else b[idx]) for W, b in self._raw]
            z = forward(raw, X, self.prior.activation, alphas=self._alphas)
        lab = z > 0
        a = z.abs()
        near = ((a <= tol * a.amax(1, keepdim=True)) & (a > 0)).any(1)
        redo = near.nonzero().squeeze(1)
        if len(redo):
            sel = [(W[redo].double(), None if b is None else b[redo].double()) for W, b in raw]
            lab[redo] = forward(sel, X.double(), self.prior.activation, alphas=self._alphas) > 0
        return lab


class BatchRunner:
    """Run ``fn(nets, index)`` for many batch indices on ``threads`` threads, each thread with its own
    `NetBatch` (its buffers reused across calls) and torch's intra-op threads set to 1 meanwhile::

        with BatchRunner(prior, 512) as run:
            futures = [run.submit(lambda nets, i: nets.draw(seed, i).labels(X), i) for i in range(8)]

    One batch per thread beats one batch on all threads: batched products of small matrices scale
    poorly across threads, and drawing the normals on Python threads while OpenMP threads spin for the
    next product made the two fight for the cores (measured with 7-40-40-1 ReLU networks on all 128
    inputs, 2 cores: 64,000 nets/s with 2 intra-op threads; 87,000 with 2 threads of one batch each).
    Labels do not depend on the threads (`NetBatch.labels`), so results do not either.
    """

    def __init__(self, prior: NetPrior, size: int, threads: int | None = None) -> None:
        self.prior, self.size = prior, size
        self.threads = torch.get_num_threads() if threads is None else int(threads)
        if self.threads < 1:
            raise CompareError(f"threads must be >= 1, got {threads!r}")
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> "BatchRunner":
        self._old_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="occam-batch")
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._pool is not None
        self._pool.shutdown(wait=True, cancel_futures=True)
        torch.set_num_threads(self._old_threads)

    def _call(self, fn: Callable[["NetBatch", int], Any], index: int) -> Any:
        nets = getattr(self._local, "nets", None)
        if nets is None:
            nets = self._local.nets = NetBatch(self.prior, self.size)
        with torch.no_grad():
            return fn(nets, index)

    def submit(self, fn: Callable[["NetBatch", int], Any], index: int) -> Future:
        """Schedule ``fn(nets, index)`` on a free thread's `NetBatch`; returns its future."""
        if self._pool is None:
            raise CompareError("BatchRunner.submit outside a `with BatchRunner(...)` block")
        return self._pool.submit(self._call, fn, index)


_INPLACE = {"relu": torch.Tensor.relu_, "tanh": torch.Tensor.tanh_}


def forward(layers: list[tuple[torch.Tensor, torch.Tensor | None]], X: torch.Tensor, activation: str, *,
            out: list[torch.Tensor] | None = None, alphas: list[float] | None = None) -> torch.Tensor:
    """Logits (B, m) of a batch of networks given as (W (B, fan_in, fan_out), b (B, fan_out) or None) per
    layer, on the input rows X (m, n). ``out``: buffers to write into (see `NetBatch.forward`);
    ``alphas``: per-layer factors of the weights (layer k computes b + alpha_k · H W_k).

    The first layer is one matrix product X @ W_1 (n, B·h_1) for the whole batch (free of copies when W_1
    is laid out as `NetBatch` lays it out); every later layer is one ``baddbmm`` over the batch.
    """
    act_ = _INPLACE.get(activation)
    act = activation_fn(activation)
    W1, b1 = layers[0]
    B, n, h = W1.shape
    m = X.shape[0]
    A = W1.transpose(0, 1).reshape(n, B * h)
    al = alphas or [1.0] * len(layers)
    o = out[0] if out is not None else None
    if b1 is None:
        H = torch.mm(X, A, out=o)
        H = H.mul_(al[0]) if al[0] != 1.0 else H
    else:
        H = torch.addmm(b1.reshape(B * h), X, A, alpha=al[0], out=o)
    if len(layers) == 1:                                  # a perceptron: no hidden layer
        return H.T
    H = act_(H) if act_ else act(H)
    H = H.view(m, B, h).transpose(0, 1)                   # (B, m, h), a view
    last = len(layers) - 1
    for k, (W, b) in enumerate(layers[1:], 1):
        o = out[k] if out is not None else None
        if b is None:
            H = torch.bmm(H, W, out=o)
            H = H.mul_(al[k]) if al[k] != 1.0 else H
        else:
            H = torch.baddbmm(b.unsqueeze(1), H, W, alpha=al[k], out=o)
        if k < last:
            H = act_(H) if act_ else act(H)
    return H.squeeze(-1)


# ------------------------------------------------------------------------------------------ training


@dataclass
class BatchTraining:
    """What `train_batch` returns, per network i of the batch.

    ``fit_labels[i]``: the labels (0/1, on every row of X) at the first check at which network i fitted
    all its training points — the function a "train to 100 % training accuracy" protocol returns;
    undefined (zeros) where ``fit_step[i] < 0`` (never fitted). ``logits``: after the last step.
    """

    fit_labels: torch.Tensor       # (B, m) uint8
    fit_step: torch.Tensor         # (B,) int64, -1 if the network never fitted its training points
    logits: torch.Tensor           # (B, m) after training
    train_accuracy: torch.Tensor   # (B,) after training
    steps: int

    @property
    def fitted(self) -> torch.Tensor:
        return self.fit_step >= 0


def train_batch(prior: NetPrior, X: torch.Tensor, Y: torch.Tensor, train_mask: torch.Tensor, *, seed: int,
                optimizer: str = "adam", lr: float = 0.01, batch_size: int | None = None,
                max_steps: int = 2000, stop: str = "all_fit", init_index: int = 0,
                init: list[tuple[torch.Tensor, torch.Tensor | None]] | None = None,
                threads: int | None = None) -> BatchTraining:
    """Train B independent MLPs at once, network i on the rows where ``train_mask[i]``.

    X (m, n) inputs; Y (B, m) 0/1 labels. The initial weights are batch ``init_index`` of stream ``seed``
    of the prior (the same networks `NetBatch` would draw), or ``init`` (scaled weights per layer, as
    `NetBatch.layers`) when given. Each step, every network takes one step of
    ``optimizer`` on the mean binary cross-entropy of its training points — all of them
    (``batch_size=None``) or ``batch_size`` of them drawn without replacement, independently per network
    and step. Networks are independent: the loss is a sum over networks and Adam and SGD act elementwise.
    ``stop="all_fit"`` ends when every network has fitted its training points (or after ``max_steps``);
    ``stop="max_steps"`` always runs ``max_steps`` steps. ``threads``: torch's intra-op threads meanwhile
    (default: 1 for small batches, whose steps are dominated by per-operation overhead that more threads
    only add to — measured 2.5x slower with 2 threads for 150 networks of width 8 — else torch's own).
    """
    if optimizer not in OPTIMIZERS:
        raise CompareError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if stop not in ("all_fit", "max_steps"):
        raise CompareError(f"stop must be 'all_fit' or 'max_steps', got {stop!r}")
    B, m = Y.shape
    if train_mask.shape != (B, m) or X.shape[0] != m:
        raise CompareError(f"train_batch: X {tuple(X.shape)}, Y {tuple(Y.shape)} and train_mask "
                           f"{tuple(train_mask.shape)} do not fit together")
    if threads is None:
        threads = 1 if B * m * max(prior.widths, default=1) < SMALL_TRAINING else torch.get_num_threads()
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _train(prior, X, Y, train_mask, seed, optimizer, lr, batch_size, max_steps, stop, init_index, init)
    finally:
        torch.set_num_threads(old)


def _train(prior: NetPrior, X: torch.Tensor, Y: torch.Tensor, train_mask: torch.Tensor, seed: int, optimizer: str,
           lr: float, batch_size: int | None, max_steps: int, stop: str, init_index: int,
           init: list[tuple[torch.Tensor, torch.Tensor | None]] | None) -> BatchTraining:
    B, m = Y.shape
    start = NetBatch(prior, B).draw(seed, init_index).layers if init is None else init
    params = []
    for W, b in start:
        params.append(W.clone().requires_grad_())
        params.append(None if b is None else b.clone().requires_grad_())
    leaves = [p for p in params if p is not None]
    layers = [(params[k], params[k + 1]) for k in range(0, len(params), 2)]
    opt = torch.optim.Adam(leaves, lr=lr) if optimizer == "adam" else torch.optim.SGD(leaves, lr=lr)
    Yf = Y.float()
    n_train = train_mask.sum(1, keepdim=True).clamp(min=1)
    gen = torch.Generator().manual_seed(int(np.random.SeedSequence([int(seed), int(init_index), 0x7EA1])
                                            .generate_state(1)[0]))
    fit_labels = torch.zeros(B, m, dtype=torch.uint8)
    fit_step = torch.full((B,), -1, dtype=torch.int64)
    steps = 0
    for step in range(max_steps + 1):
        logits = forward(layers, X, prior.activation)
        with torch.no_grad():
            lab = logits > 0
            ok = ((lab == Y.bool()) | ~train_mask).all(1)
            new = ok & (fit_step < 0)
            if new.any():
                fit_labels[new] = lab[new].to(torch.uint8)
                fit_step[new] = step
            if step == max_steps or (stop == "all_fit" and bool((fit_step >= 0).all())):
                break
            if batch_size is None or batch_size >= int(n_train.max()):
                w = train_mask.float() / n_train
            else:
                score = torch.rand(B, m, generator=gen).masked_fill_(~train_mask, 2.0)
                pick = score.topk(batch_size, dim=1, largest=False).indices
                w = torch.zeros(B, m).scatter_(1, pick, 1.0) * train_mask
                w = w / w.sum(1, keepdim=True).clamp(min=1)
        opt.zero_grad(set_to_none=True)
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(logits, Yf, reduction="none") * w).sum()
        loss.backward()
        opt.step()
        steps = step + 1
    with torch.no_grad():
        logits = forward(layers, X, prior.activation)
        acc = (((logits > 0) == Y.bool()) & train_mask).sum(1) / n_train.squeeze(1)
    return BatchTraining(fit_labels, fit_step, logits.detach(), acc, steps)
