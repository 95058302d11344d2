"""预决算公开问答 — the web page: chat, exact figures, the cited PDF page with its cells and sentences boxed,
filters, uploads. A thin layer over `qa.Assistant`:

    python app.py [--host 127.0.0.1] [--port 7860] [--index ./index]      (env QA_HOST, QA_PORT, QA_INDEX)

On first start with an empty index the bundled sample disclosure is ingested, so one can ask at once.
The page itself lives in webui/: render (pure HTML/Markdown), evidence (page images), handlers, layout.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from webui.layout import LAUNCH, build_app  # noqa: E402
from webui.render import MAX_UPLOAD_MB, REASONS, esc  # noqa: E402

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "samples" / "yangquan2_2026_budget.pdf"
QUIET = ("httpx", "httpcore", "chromadb", "bm25s", "urllib3", "asyncio", "PIL")  # their INFO/DEBUG is noise here


def ingest_sample(assistant) -> str:
    """First start: index the bundled sample so a newcomer can ask at once. Returns a note for the page."""
    if not SAMPLE.is_file():
        print(f"提示：索引为空，且找不到示例文件 {SAMPLE}；请在页面上传 PDF。", flush=True)
        return ""
    print(f"首次启动：索引为空，正在导入示例文件 {SAMPLE.name}（约 1–2 分钟，进度见下方）…", flush=True)
    t0 = time.perf_counter()
    result = assistant.ingest([SAMPLE], progress=True)[0]
    if not result.ok:
        print(f"示例文件导入失败：{REASONS.get(result.reason, result.reason)}（{result.message}）", flush=True)
        return ""
    print(f"示例文件已导入：{result.unit} {result.year}年，{result.pages} 页、{result.tables} 张表、"
          f"{result.chunks} 个段落，用时 {time.perf_counter() - t0:.0f} 秒。", flush=True)
    return f"首次启动时已自动导入示例文件（{esc(result.unit)} {result.year}年，{result.pages} 页），可以直接提问。"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="预决算公开问答：网页")
    parser.add_argument("--host", default=os.environ.get("QA_HOST", "127.0.0.1"), help="address to serve on (env QA_HOST)")
    env_port = os.environ.get("QA_PORT", "")
    parser.add_argument("--port", type=int, default=int(env_port) if env_port.isdigit() else 7860, help="port (env QA_PORT)")
    parser.add_argument("--index", default=os.environ.get("QA_INDEX", "index"), help="index folder (env QA_INDEX)")
    parser.add_argument("--chroma-url", default=os.environ.get("QA_CHROMA_URL"), help="a Chroma server instead of --index")
    parser.add_argument("--embed-model", default=os.environ.get("QA_EMBED_MODEL"), help="sentence-transformers model")
    parser.add_argument("--no-sample", action="store_true", help="do not ingest the sample into an empty index")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"正在加载模型和索引（{args.chroma_url or args.index}）…", flush=True)
    from qa.assistant import Assistant

    for noisy in QUIET:  # after the import: bm25s sets its own logger to DEBUG when imported
        logging.getLogger(noisy).setLevel(logging.WARNING)

    try:
        assistant = Assistant(index_dir=args.index, chroma_url=args.chroma_url, embed_model=args.embed_model)
    except Exception as e:
        print(f"无法打开索引：{e}", file=sys.stderr)
        return 2
    note = ""
    if not args.no_sample and not assistant.documents():
        note = ingest_sample(assistant)
    threading.Thread(target=assistant.warm, daemon=True).start()  # the first question need not wait for it
    demo = build_app(assistant, upload_dir=Path(args.index) / "uploads", note=note)
    demo.queue(default_concurrency_limit=1)
    print(f"打开 http://{args.host}:{args.port} 开始提问。", flush=True)
    try:
        demo.launch(server_name=args.host, server_port=args.port, max_file_size=f"{MAX_UPLOAD_MB * 2}mb",
                    show_error=False, ssr_mode=False, quiet=True, **LAUNCH)
    except OSError as e:
        print(f"无法在 {args.host}:{args.port} 上启动网页（{e}）；端口可能已被占用，请用 --port 换一个。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
