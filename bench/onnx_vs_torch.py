"""The default embedding model in torch bfloat16 (what qa uses) against float32 and ONNX Runtime, for speed and
vectors (issue 18): one thread, as an ingest worker embeds; batches of 32 sorted by length, padded to 16 tokens.

    pip install onnx            # the exporter's dependency, not the project's
    python bench/onnx_vs_torch.py --index DIR [--texts 256]

DIR is an index built beforehand (`qa ingest`); the texts are a random sample of its chunks. The ONNX graphs are
exported to a temporary folder: as is (ORT_ENABLE_ALL) and with onnxruntime's transformer fusions.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def export(model, path: Path) -> None:
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ones = torch.ones(2, 16, dtype=torch.long)
    axes = {"b": 0, "t": 1}
    torch.onnx.export(LastHidden(model[0].auto_model.eval()), (ones, ones), str(path), dynamo=False, opset_version=17,
                      input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                      dynamic_axes={n: {i: a for a, i in axes.items()} for n in ("input_ids", "attention_mask", "hidden")})


def ort_embedder(path: Path, tokenizer):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def embed(texts: list[str]) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384), np.float32)
        for i in range(0, len(texts), 32):
            rows = order[i : i + 32]
            enc = tokenizer(["passage: " + texts[j] for j in rows], padding=True, truncation=True, max_length=512,
                            pad_to_multiple_of=16, return_tensors="np")
            hidden = session.run(None, {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask")})[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            mean = (hidden * mask).sum(1) / mask.sum(1)
            out[rows] = mean / np.linalg.norm(mean, axis=1, keepdims=True)
        return out

    return embed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--texts", type=int, default=256)
    args = ap.parse_args()
    import torch
    from onnxruntime.transformers import optimizer

    from qa.embedding import Embedder
    from qa.store import ChunkStore, make_client

    torch.set_num_threads(1)
    stored = ChunkStore(make_client(args.index)).chunks.get(include=["documents"], limit=5000)["documents"]
    texts = [stored[i] for i in np.random.default_rng(0).choice(len(stored), args.texts, replace=False)]
    bf16, fp32 = Embedder(device="cpu"), Embedder(device="cpu", bf16=False)
    with tempfile.TemporaryDirectory(prefix="onnx-e5-") as tmp:  # two graphs of 470 MB
        folder = Path(tmp)
        export(fp32._model, folder / "e5.onnx")
        fused = optimizer.optimize_model(str(folder / "e5.onnx"), model_type="bert", num_heads=12, hidden_size=384)
        fused.save_model_to_file(str(folder / "e5-fused.onnx"))
        runs = [("torch float32", fp32.embed_passages), ("torch bfloat16 (qa's default)", bf16.embed_passages),
                ("onnxruntime float32, ORT_ENABLE_ALL", ort_embedder(folder / "e5.onnx", fp32._model.tokenizer)),
                ("onnxruntime float32, transformer fusions", ort_embedder(folder / "e5-fused.onnx", fp32._model.tokenizer))]
    print(f"{len(texts)} chunk texts of {args.index}, one thread, batch 32 sorted by length, padded to 16")
    print("| runtime | chunks/s | cosine to torch float32: min | mean |\n|---|---|---|---|")
    ref = None
    for name, embed in runs:
        embed(texts[:32])  # warm-up: kernels and shapes
        t0 = time.perf_counter()
        vectors = embed(texts)
        seconds = time.perf_counter() - t0
        ref = vectors if ref is None else ref
        cos = (vectors * ref).sum(axis=1)
        print(f"| {name} | {len(texts) / seconds:.1f} | {cos.min():.5f} | {cos.mean():.5f} |", flush=True)


if __name__ == "__main__":
    main()
