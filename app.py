"""预决算公开问答 — the web page: chat, exact figures, cited sources with their PDF page, filters, uploads.

A thin layer over `qa.Assistant`:

    python app.py [--host 127.0.0.1] [--port 7860] [--index ./index]      (env QA_HOST, QA_PORT, QA_INDEX)

On first start with an empty index the bundled sample disclosure is ingested, so one can ask at once.
`build_app(assistant)` returns the `gr.Blocks` page (tests serve it); every handler answers in Chinese and
never shows a stack trace; all document text is HTML-escaped before it is shown.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import html
import logging
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "samples" / "yangquan2_2026_budget.pdf"
MAX_UPLOAD_MB = 100
MAX_QUESTION_CHARS = 300
ALL = "全部"
KINDS = ["预算", "决算"]
EXAMPLES = ["三公经费为何增加", "公务接待费是多少", "机关运行经费比上年变化多少", "什么是机关运行经费", "那上年呢？"]
FIGURE_HEADERS = ["项目", "数值", "单位", "表名", "页码", "文件"]
DOC_HEADERS = ["单位", "年度", "类型", "页数", "表格", "勾稽问题", "文件"]
PAGE_RESOLUTION = 110

log = logging.getLogger("qa.app")

# Why a file could not be indexed (IngestResult.reason and our own upload checks), in Chinese.
REASONS = {
    "not-pdf": "不是有效的 PDF 文件（文件内容没有 %PDF 文件头），请上传 PDF 格式的公开文件",
    "empty": "文件是空的（0 字节）",
    "too-large": f"文件超过 {MAX_UPLOAD_MB} MB 的上限",
    "encrypted": "PDF 已加密，需要密码才能打开，无法读取",
    "corrupt": "PDF 文件已损坏，无法读取",
    "scanned": "这是扫描版 PDF（页面是图片，没有文字层），暂不支持；请上传可以复制文字的 PDF",
    "garbled": "PDF 的文字层是乱码（字体编码缺失），无法识别其中的文字",
    "no-text": "页面是图片，文字识别（OCR）也没有读出文字，请上传清晰的扫描件或可以复制文字的 PDF",
    "no-pages": "PDF 中没有页面",
    "missing": "找不到上传的文件，请重新上传",
    "unreadable": "文件无法读取，请重新上传",
    "parse-error": "无法解析该 PDF 的版面",
    "store-error": "写入索引时出错，请稍后重试",
}

# System fonts only: the page must not fetch web fonts (offline machines), and CJK needs a CJK font.
_FONTS = ["system-ui", "-apple-system", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
          "sans-serif"]
THEME = gr.themes.Soft(font=_FONTS, font_mono=["ui-monospace", "Consolas", "monospace"])

CSS = """
#qa-title h1 { margin-bottom: 0.1em; }
#qa-title p { margin-top: 0; color: var(--body-text-color-subdued); }
#qa-status { font-size: 0.92em; }
#qa-examples { gap: 6px; flex-wrap: wrap; }
.qa-bottom { align-items: flex-end !important; }
.qa-bottom > button { height: 42px; margin-bottom: 2px; white-space: nowrap; }
#qa-examples button { flex: 0 1 auto !important; min-width: 0 !important; white-space: nowrap; }
.qa-sources { max-height: 560px; overflow-y: auto; padding-right: 4px; }
.qa-src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
          margin: 0 0 8px 0; background: var(--block-background-fill); }
.qa-src-head { font-weight: 600; line-height: 1.5; }
.qa-rank { display: inline-block; min-width: 1.5em; text-align: center; border-radius: 4px; margin-right: 4px;
           background: var(--color-accent-soft); color: var(--color-accent); }
.qa-src-meta { color: var(--body-text-color-subdued); font-size: 0.86em; line-height: 1.45; word-break: break-all; }
.qa-src-text { white-space: pre-wrap; line-height: 1.65; margin-top: 4px; word-break: break-word; }
.qa-src-text mark, .qa-upload mark { background: #ffe066; color: #1f1f1f; padding: 0 2px; border-radius: 2px; }
.qa-src details summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: 0.86em; }
.qa-empty { color: var(--body-text-color-subdued); padding: 6px 2px; }
.qa-upload ul { margin: 4px 0; padding-left: 0; list-style: none; }
.qa-upload li { margin: 3px 0; line-height: 1.5; }
.qa-ok { color: #237804; }
.qa-bad { color: #cf1322; }
.qa-tag { display: inline-block; font-size: 0.8em; padding: 0 5px; margin-right: 5px; border-radius: 4px;
          border: 1px solid currentColor; }
#qa-docs { min-width: 0; max-width: 100%; }
.qa-figtable { overflow-x: auto; max-height: 340px; overflow-y: auto; border: 1px solid var(--border-color-primary);
               border-radius: 8px; }
.qa-figtable table { width: 100%; border-collapse: collapse; font-size: 0.9em; margin: 0; }
.qa-figtable th { position: sticky; top: 0; background: var(--background-fill-secondary); text-align: left;
                  font-weight: 600; white-space: nowrap; }
.qa-figtable th, .qa-figtable td { padding: 5px 8px; border-bottom: 1px solid var(--border-color-primary);
                                   vertical-align: top; line-height: 1.45; }
.qa-figtable td.qa-c1 { white-space: nowrap; font-variant-numeric: tabular-nums; font-weight: 600; text-align: right; }
.qa-figtable td.qa-c2, .qa-figtable td.qa-c4 { white-space: nowrap; }
.qa-figtable td.qa-c5 { word-break: break-all; color: var(--body-text-color-subdued); font-size: 0.92em; }
@media (max-width: 640px) {
  .qa-sources { max-height: none; }
  .qa-figtable table { min-width: 560px; }
}
"""
# Gradio scopes `css` to the app's content; the page margins sit outside it, so they go in <head>.
HEAD = """<style>
@media (max-width: 640px) { .gradio-container .main.fillable { padding-left: 8px !important; padding-right: 8px !important; } }
</style>"""


# --- pure helpers (no Gradio state; unit-tested directly) -----------------------------------------------

def esc(value) -> str:
    """Document text → safe HTML text."""
    return html.escape("" if value is None else str(value), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~>!])")


def md_text(value) -> str:
    """Document text → safe Markdown: HTML-escaped, Markdown punctuation backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", esc(value))


def number_pattern(raws) -> re.Pattern | None:
    """Match any of the printed numbers as a whole number (8.00 must not match inside 18.00)."""
    alts = sorted({r.strip() for r in raws if r and r.strip()}, key=len, reverse=True)
    if not alts:
        return None
    return re.compile(r"(?<![\d.,])(?:" + "|".join(map(re.escape, alts)) + r")(?![\d]|[.,]\d)")


def highlight(text: str, pattern: re.Pattern | None) -> str:
    """Escape text and wrap the matched figures in <mark>."""
    if pattern is None:
        return esc(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(esc(text[last : m.start()]))
        out.append(f"<mark>{esc(m.group(0))}</mark>")
        last = m.end()
    out.append(esc(text[last:]))
    return "".join(out)


def passage_body(text: str) -> str:
    """A chunk's passage without its first line (unit · year · heading), which the card shows anyway."""
    text = (text or "").strip()
    head, sep, body = text.partition("\n")
    return body.strip() if sep and "·" in head and body.strip() else text


_PIECE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")


def excerpt(body: str, pattern: re.Pattern | None, limit: int = 260) -> tuple[str, bool]:
    """The passage, or for a long one the sentences holding the matched figures. Returns (text, shortened)."""
    if len(body) <= limit:
        return body, False
    pieces = [m.group(0).strip() for m in _PIECE.finditer(body) if m.group(0).strip()]
    hits = [p for p in pieces if pattern and pattern.search(p)]
    if hits:
        out, size = [], 0
        for p in hits:
            if out and size + len(p) > limit * 1.6:
                break
            out.append(p)
            size += len(p)
        return " … ".join(out) + " …", True
    return body[:limit].rstrip() + " …", True


def heading_tail(section: str | None) -> str:
    return (section or "").split(" › ")[-1].strip()


def where(source) -> str:
    """表名 for a table passage, else the section heading."""
    return source.table or heading_tail(source.section) or "正文"


def figure_rows(figures, sources=(), limit: int = 12) -> list[list]:
    """项目, 数值, 单位, 表名, 页码, 文件 — one row per distinct figure, most relevant first."""
    sections = {(s.doc_id, s.page): heading_tail(s.section) for s in sources if not s.table and s.section}
    rows, seen = [], set()
    for f in figures:
        label = f.label.strip()
        if f.column:
            label = f"{label}（{f.column}）"
        key = (label, f.raw, f.page, f.doc)
        if key in seen:
            continue
        seen.add(key)
        table = f.table or (f"正文：{sections[(f.doc_id, f.page)]}" if (f.doc_id, f.page) in sections else "正文")
        rows.append([label, f.raw, f.unit or "", table, f.page, f.doc])
        if len(rows) >= limit:
            break
    return rows


_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)(?=\s*(?:万元|亿元|千元|元|%|％))")


def matched_figures(figures, answer: str = "", top: int = 3) -> list:
    """The figures the answer states (by their printed number); else the most relevant few."""
    said = [f for f in figures if (p := number_pattern([f.raw])) and p.search(answer or "")]
    return said or list(figures[:top])


def figures_html(rows) -> str:
    """The figures as an HTML table (项目, 数值, 单位, 表名, 页码, 文件); scrolls sideways on a narrow screen."""
    if not rows:
        return '<div class="qa-empty">提问后，这里列出答案用到的数字：项目、数值、单位、表名、页码和文件。</div>'
    head = "".join(f"<th>{esc(h)}</th>" for h in FIGURE_HEADERS)
    body = "".join(
        "<tr>" + "".join(f'<td class="qa-c{i}">{esc(v)}</td>' for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f'<div class="qa-figtable"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def sources_html(sources, figures, kinds: dict | None = None, answer: str = "") -> str:
    """Ranked source cards: unit, year, kind, 表名/章节, page, file, and the passage with its figures marked."""
    if not sources:
        return '<div class="qa-empty">没有可显示的来源。</div>'
    kinds = kinds or {}
    marked = matched_figures(figures, answer)
    # amounts the answer prints (its quotes included); bare integers (6万元) would mark page and item numbers
    stated = [a for a in _AMOUNT.findall(answer or "") if "." in a or "," in a]
    cards = []
    for i, s in enumerate(sources, 1):
        same_doc = (lambda f: f.doc_id == s.doc_id) if s.doc_id else (lambda f: f.doc == s.doc)
        pattern = number_pattern(stated + [f.raw for f in marked if same_doc(f) and f.page == s.page])
        body = passage_body(s.text)
        short, cut = excerpt(body, pattern)
        meta = [esc(s.unit) if s.unit else "", f"{s.year}年" if s.year else "", esc(kinds.get(s.doc_id, "")),
                f"第{int(s.page)}页"]
        head = " · ".join(x for x in meta if x)
        place = f"表：{esc(s.table)}" if s.table else f"章节：{esc(s.section or '正文')}"
        full = (f"<details><summary>展开全文</summary><div class=\"qa-src-text\">{highlight(body, pattern)}</div></details>"
                if cut else "")
        cards.append(
            f'<div class="qa-src"><div class="qa-src-head"><span class="qa-rank">{i}</span>{head}</div>'
            f'<div class="qa-src-meta">{place}<br>文件：{esc(s.doc)}</div>'
            f'<div class="qa-src-text">{highlight(short, pattern)}</div>{full}</div>'
        )
    return '<div class="qa-sources">' + "".join(cards) + "</div>"


def page_choices(sources) -> list[tuple[str, str]]:
    """Dropdown choices (label, "doc_id|page"), one per distinct source page, in rank order."""
    out, seen = [], set()
    for i, s in enumerate(sources, 1):
        value = f"{s.doc_id}|{int(s.page)}"
        if not s.doc_id or value in seen:
            continue
        seen.add(value)
        name = where(s)
        name = name if len(name) <= 26 else name[:25] + "…"
        out.append((f"{i}. 第{int(s.page)}页 · {name} · {s.unit or s.doc}", value))
    return out


def doc_rows(docs) -> list[list]:
    return [[d.unit or "（未识别）", d.year or "", d.kind or "", d.pages, d.tables, len(d.findings), d.file] for d in docs]


def findings_html(docs) -> str:
    """Each document's consistency findings (勾稽校验), with pages, folded per document."""
    parts = []
    for d in docs:
        if not d.findings:
            continue
        items = "".join(f"<li>第{'、'.join(map(str, f['pages']))}页 · {esc(f['message'])}</li>" for f in d.findings)
        parts.append(f"<details><summary>{esc(d.unit or d.file)} {d.year or ''} · {len(d.findings)} 处</summary><ul>{items}</ul></details>")
    return "".join(parts) or "<p>已收录文件未发现勾稽问题。</p>"


def check_upload(path: Path) -> str | None:
    """A reason the upload cannot be a PDF we index (by size and content, never by name), else None."""
    try:
        size = path.stat().st_size
        if size == 0:
            return "empty"
        if size > MAX_UPLOAD_MB * 1024 * 1024:
            return "too-large"
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return "unreadable"
    return None if b"%PDF-" in head else "not-pdf"


def safe_name(name: str) -> str:
    """A file name fit to store: no folders, no control characters."""
    name = Path(str(name).replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", name).strip(" .") or "upload.pdf"
    return name[:150]


@functools.lru_cache(maxsize=24)
def _render(path: str, mtime: float, page: int):
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        if not 1 <= page <= len(pdf.pages):
            raise IndexError(page)
        return pdf.pages[page - 1].to_image(resolution=PAGE_RESOLUTION).original.convert("RGB")


def render_page(path: str, page: int):
    """The PDF page as a PIL image (cached)."""
    return _render(path, os.path.getmtime(path), int(page))


def oops(message: str) -> gr.Error:
    """A Chinese message for the user (a toast), without a traceback in the console."""
    return gr.Error(message, title="提示", print_exception=False)


def friendly(action: str):
    """Turn any unexpected error in a handler into a Chinese message; the traceback goes to the console only."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception:
                log.exception("handler %s failed", fn.__name__)
                raise oops(f"{action}时出错了，请稍后重试。") from None

        return wrapper

    return deco


# --- the page -------------------------------------------------------------------------------------------

class Page:
    """Handlers over one Assistant; writes (ingest, remove) are serialized."""

    def __init__(self, assistant, upload_dir: Path | None = None, note: str = ""):
        self.a = assistant
        self.upload_dir = Path(upload_dir or Path(os.environ.get("QA_INDEX", "index")) / "uploads").resolve()
        self.note = note
        self.write_lock = threading.Lock()

    # lists ------------------------------------------------------------------------------------------------
    def docs(self):
        return self.a.documents()

    def status_text(self, docs=None) -> str:
        docs = self.docs() if docs is None else docs
        if not docs:
            line = "索引中还没有文件：请在下方“文件管理”上传预算或决算公开 PDF。"
        else:
            units = sorted({d.unit for d in docs if d.unit})
            shown = "、".join(esc(u) for u in units[:4]) + (" 等" if len(units) > 4 else "")
            line = f"已收录 **{len(docs)}** 份文件（{len(units)} 个单位：{shown}）。"
        return line + (f"  \n{self.note}" if self.note else "")

    @staticmethod
    def choices(docs):
        """Filter choices (units, years) and the remove picker's (label, doc id) pairs."""
        units = sorted({d.unit for d in docs if d.unit})
        years = sorted({str(d.year) for d in docs if d.year}, reverse=True)
        removable = [(f"{d.unit or '未识别单位'} {d.year or ''} {d.kind or ''} · {d.file}", d.id) for d in docs]
        return units, years, removable

    def lists(self, unit=ALL, year=ALL, kind=ALL):
        """Documents table, remove picker, the three filters and the status line, from the registry."""
        docs = self.docs()
        units, years, removable = self.choices(docs)
        kinds = [k for k in KINDS if any(d.kind == k for d in docs)] or KINDS
        keep = lambda v, opts: v if v in opts else ALL  # noqa: E731
        return (
            gr.update(value=doc_rows(docs)),
            gr.update(choices=removable, value=None),
            gr.update(choices=[ALL, *units], value=keep(unit, units)),
            gr.update(choices=[ALL, *years], value=keep(year, years)),
            gr.update(choices=[ALL, *kinds], value=keep(kind, kinds)),
            findings_html(docs),
            self.status_text(docs),
        )

    # ask --------------------------------------------------------------------------------------------------
    def ask(self, question, history, context, unit, year, kind):
        """Returns chat, cleared textbox, context, figures, sources, page picker, page image."""
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            gr.Warning("请先输入问题，例如：公务接待费是多少", title="提示")
            return history, "", context, gr.update(), gr.update(), gr.update(), gr.update()
        history.append({"role": "user", "content": md_text(question)})

        def say(text: str):  # a reply without figures or sources; the panels are cleared
            history.append({"role": "assistant", "content": text})
            return history, "", context, *self.cleared()[3:]

        if len(question) > MAX_QUESTION_CHARS:
            return say(f"问题太长了（超过 {MAX_QUESTION_CHARS} 字），请简短一些再问。")
        unit = None if unit in (None, "", ALL) else str(unit)
        kind = None if kind in (None, "", ALL) else str(kind)
        year = None if year in (None, "", ALL) else str(year).strip()
        if year is not None and not re.fullmatch(r"(19|20)\d\d", year):
            return say(f"年度筛选“{md_text(year)}”不是有效的年份，请重新选择。")
        try:
            ans = self.a.ask(question, k=5, context=context or None, unit=unit,
                             year=int(year) if year else None, kind=kind)
            kinds = {d.id: d.kind or "" for d in self.docs()}
            figures = figures_html(figure_rows(ans.figures, ans.sources))
            sources = sources_html(ans.sources, ans.figures, kinds, ans.answer)
        except Exception:
            log.exception("ask failed: %r", question)
            return say("抱歉，回答这个问题时出现了内部错误。请换个问法，或稍后再试。")
        reply = md_text(ans.answer) + "".join(f"\n\n⚠ {md_text(w)}" for w in ans.warnings)
        if ans.found and ans.sources:
            reply += f"\n\n<small>依据 {len(ans.sources)} 处原文，数字与来源见“数字”“来源”；用时 {ans.elapsed_ms / 1000:.1f} 秒</small>"
        history.append({"role": "assistant", "content": reply})
        choices = page_choices(ans.sources)
        return (history, "", ans.analysis, figures, sources,
                gr.update(choices=choices, value=choices[0][1] if choices else None), _no_page())

    @staticmethod
    def cleared():
        """Chat, textbox, context, figures, sources, page picker, page image — all empty."""
        return [], "", None, figures_html([]), _empty_sources(), gr.update(choices=[], value=None), _no_page()

    # page image -------------------------------------------------------------------------------------------
    @friendly("显示原文页面")
    def show_page(self, choice):
        if not choice or "|" not in str(choice):
            raise oops("请先提问，再从来源列表中选择一页。")
        doc_id, _, page = str(choice).rpartition("|")
        rec = next((d for d in self.docs() if d.id == doc_id), None)
        if rec is None:
            raise oops("这份文件已从索引中移除，无法显示原文页面。")
        if not rec.path or not os.path.isfile(rec.path):
            raise oops(f"找不到原始 PDF 文件 {esc(rec.file)}，可能已被移动或删除。")
        try:
            image = render_page(rec.path, int(page))
        except (IndexError, ValueError):
            raise oops(f"{esc(rec.file)} 没有第 {esc(page)} 页。") from None
        return gr.update(value=image, label=f"原文第{int(page)}页 · {rec.unit or rec.file}")

    # upload -----------------------------------------------------------------------------------------------
    def _store(self, src: Path) -> Path:
        """Copy an upload out of Gradio's temp cache into the index's uploads folder (kept for page images)."""
        digest = hashlib.sha256()
        with src.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        dest = self.upload_dir / digest.hexdigest()[:16] / safe_name(src.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            shutil.copyfile(src, dest)
        return dest

    def _drop(self, path: Path) -> None:
        """Delete a stored upload no document refers to."""
        try:
            path = path.resolve()
            if self.upload_dir in path.parents and not any(d.path == str(path) for d in self.docs()):
                path.unlink(missing_ok=True)
                if not any(path.parent.iterdir()):
                    path.parent.rmdir()
        except OSError:
            log.warning("could not delete %s", path, exc_info=True)

    @friendly("导入文件")
    def upload(self, files, unit, year, kind, progress=gr.Progress()):
        """Check, copy and index each uploaded file; report each by name. Returns report + refreshed lists."""
        paths = [Path(getattr(f, "name", f)) for f in (files if isinstance(files, list) else [files] if files else [])]
        if not paths:
            return ('<div class="qa-upload">请选择要上传的 PDF 文件（可以一次选择多个）。</div>', None,
                    *self.lists(unit, year, kind))
        lines, ok, bad = [], 0, 0
        n = len(paths)
        for i, src in enumerate(paths):
            name = safe_name(src.name)
            progress(i / n, desc=f"正在导入 {name}（第 {i + 1}/{n} 个文件）")
            reason = check_upload(src)
            result = None
            if reason is None:
                try:
                    stored = self._store(src)
                    def on_page(_file: str, page: int, pages: int, i: int = i) -> None:
                        progress((i + page / pages) / n, desc=f"正在导入 {name}：第 {page}/{pages} 页")

                    with self.write_lock:
                        result = self.a.ingest([stored], on_page=on_page)[0]
                    if result.status in ("failed", "duplicate"):
                        self._drop(stored)
                except Exception:
                    log.exception("ingest failed: %s", src)
                    reason = "store-error"
            if result is not None and result.status == "failed":
                reason = result.reason or "parse-error"
            if reason:
                bad += 1
                why = REASONS.get(reason, "无法导入该文件")
                lines.append(f'<li class="qa-bad"><span class="qa-tag">未导入</span><b>{esc(name)}</b>：{esc(why)}</li>')
                continue
            ok += 1
            lines.append(f'<li class="qa-ok"><span class="qa-tag">成功</span><b>{esc(name)}</b>：{self._describe(result)}</li>')
        if ok:
            progress(0.99, desc="正在更新检索索引")
            self.a.warm()
        progress(1.0, desc="导入完成")
        summary = f"共 {n} 个文件：{ok} 个成功" + (f"，{bad} 个未能导入" if bad else "") + "。"
        report = f'<div class="qa-upload"><div>{summary}</div><ul>{"".join(lines)}</ul></div>'
        return (report, None, *self.lists(unit, year, kind))

    def _describe(self, r) -> str:
        who = esc(" ".join(str(x) for x in (r.unit, f"{r.year}年" if r.year else None) if x)) or "未识别出单位名称"
        facts = f"{who}，{r.pages} 页、{r.tables} 张表"
        if r.status == "added":
            return f"已导入（{facts}）"
        if r.status == "replaced":
            return f"已更新为新版本（{facts}）"
        if r.status == "unchanged":
            return f"已在索引中，无需重复导入（{facts}）"
        if r.status == "duplicate":
            same = next((d.file for d in self.docs() if d.id == r.doc_id), "")
            return f"内容与已收录的 {esc(same) or '文件'} 相同，未重复导入"
        return esc(r.status)

    # remove -----------------------------------------------------------------------------------------------
    @friendly("移除文件")
    def remove(self, doc_id, unit, year, kind):
        rec = next((d for d in self.docs() if d.id == doc_id), None) if doc_id else None
        if rec is None:
            raise oops("请先在列表中选择要移除的文件。")
        with self.write_lock:
            self.a.remove(rec.id)
        if rec.path:
            self._drop(Path(rec.path))
        msg = f'<div class="qa-upload">已移除 <b>{esc(rec.file)}</b>（{esc(rec.unit or "")} {rec.year or ""}）。</div>'
        return (msg, *self.lists(unit, year, kind))


def _no_page():
    return gr.update(value=None, label="原文页面")


def _empty_sources() -> str:
    return '<div class="qa-empty">提问后，这里按相关度列出原文出处，并标出答案中的数字。</div>'


def build_app(assistant, upload_dir: str | Path | None = None, note: str = "") -> gr.Blocks:
    """The whole page over one Assistant."""
    page = Page(assistant, Path(upload_dir) if upload_dir else None, note)
    docs = page.docs()
    units, years, removable = page.choices(docs)
    with gr.Blocks(title="预决算公开问答") as demo:
        gr.Markdown("# 预决算公开问答\n用中文提问政府部门预算、决算公开文件：答案给出原文数字、表名、页码，并附来源原文。",
                    elem_id="qa-title")
        status = gr.Markdown(page.status_text(), elem_id="qa-status")
        with gr.Row(equal_height=False, elem_id="qa-main"):
            with gr.Column(scale=3, min_width=320):
                with gr.Row(elem_id="qa-filters"):
                    # custom values allowed: the choices change as files come and go; handlers check them
                    unit_dd = gr.Dropdown([ALL, *units], value=ALL, label="单位", scale=3, min_width=170,
                                          allow_custom_value=True, elem_id="qa-unit")
                    year_dd = gr.Dropdown([ALL, *years], value=ALL, label="年度", scale=1, min_width=120,
                                          allow_custom_value=True, elem_id="qa-year")
                    kind_dd = gr.Dropdown([ALL, *KINDS], value=ALL, label="预算/决算", scale=1, min_width=120,
                                          allow_custom_value=True, elem_id="qa-kind")
                chat = gr.Chatbot(label="对话", height=420, elem_id="qa-chat", buttons=["copy"],
                                  placeholder="请在下方输入问题，或点击示例问题。答案中的每个数字都来自原文表格或说明。")
                with gr.Row(elem_id="qa-ask-row", elem_classes=["qa-bottom"]):
                    question = gr.Textbox(show_label=False, placeholder="输入问题，例如：三公经费为何增加", lines=1,
                                          max_lines=3, scale=5, min_width=160, elem_id="qa-question", autofocus=True)
                    send = gr.Button("提问", variant="primary", scale=1, min_width=72, elem_id="qa-send")
                with gr.Row(elem_id="qa-examples"):
                    example_buttons = [gr.Button(q, size="sm", variant="secondary", scale=0, min_width=0) for q in EXAMPLES]
                    clear = gr.Button("清空对话", size="sm", variant="stop", scale=0, min_width=0, elem_id="qa-clear")
                gr.Markdown("**数字**（原文中的数值，最相关的在前）", elem_id="qa-figures-title")
                figures = gr.HTML(figures_html([]), elem_id="qa-figures")
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("**来源**（按相关度排序，答案中的数字已标出）", elem_id="qa-sources-title")
                sources = gr.HTML(_empty_sources(), elem_id="qa-sources")
                with gr.Row(elem_id="qa-page-row", elem_classes=["qa-bottom"]):
                    page_dd = gr.Dropdown([], label="来源页面", scale=3, min_width=220, elem_id="qa-page-pick",
                                          allow_custom_value=True)
                    show = gr.Button("查看原文页面", scale=1, min_width=140, elem_id="qa-show-page")
                page_img = gr.Image(label="原文页面", type="pil", interactive=False, elem_id="qa-page-image",
                                    buttons=["download", "fullscreen"])
        gr.Markdown("## 文件管理", elem_id="qa-files-title")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=320):
                files = gr.File(label=f"上传 PDF（可多选，每个不超过 {MAX_UPLOAD_MB} MB）", file_count="multiple",
                                elem_id="qa-upload")
                upload_report = gr.HTML("", elem_id="qa-upload-report")
            with gr.Column(scale=3, min_width=320):
                docs_df = gr.Dataframe(headers=DOC_HEADERS, value=doc_rows(docs), label="已收录文件",
                                       interactive=False, wrap=True, max_height=320, elem_id="qa-docs",
                                       column_widths=["170px", "64px", "64px", "64px", "64px", "72px", "260px"])
                with gr.Row(elem_id="qa-remove-row", elem_classes=["qa-bottom"]):
                    remove_dd = gr.Dropdown(removable, value=None, label="选择要移除的文件", scale=3, min_width=170,
                                            allow_custom_value=True, elem_id="qa-remove-pick")
                    remove_btn = gr.Button("移除", variant="stop", scale=1, min_width=72, elem_id="qa-remove")
                remove_report = gr.HTML("", elem_id="qa-remove-report")
                with gr.Accordion("勾稽校验：文件内数字不一致之处", open=False, elem_id="qa-findings-box"):
                    findings = gr.HTML(findings_html(docs), elem_id="qa-findings")

        context = gr.State(None)
        filters = [unit_dd, year_dd, kind_dd]
        lists = [docs_df, remove_dd, *filters, findings, status]
        ask_out = [chat, question, context, figures, sources, page_dd, page_img]
        ask_in = [question, chat, context, *filters]

        send.click(page.ask, ask_in, ask_out, api_name="ask", show_progress="minimal")
        question.submit(page.ask, ask_in, ask_out, api_visibility="private", show_progress="minimal")
        for b, q in zip(example_buttons, EXAMPLES):
            b.click(lambda q=q: q, None, question, api_visibility="private", queue=False).then(
                page.ask, ask_in, ask_out, api_visibility="private", show_progress="minimal")
        clear.click(page.cleared, None, ask_out, api_visibility="private")
        show.click(page.show_page, page_dd, page_img, api_name="show_page")
        page_dd.select(page.show_page, page_dd, page_img, api_visibility="private")
        files.upload(page.upload, [files, *filters], [upload_report, files, *lists], api_name="upload",
                     show_progress_on=files)
        remove_btn.click(page.remove, [remove_dd, *filters], [remove_report, *lists], api_name="remove",
                         show_progress_on=remove_report)
        demo.load(page.lists, filters, lists, api_name="documents")
    return demo


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
    for noisy in ("httpx", "httpcore", "chromadb", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    print(f"正在加载模型和索引（{args.chroma_url or args.index}）…", flush=True)
    from qa.assistant import Assistant

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
        demo.launch(server_name=args.host, server_port=args.port, css=CSS, head=HEAD, theme=THEME,
                    max_file_size=f"{MAX_UPLOAD_MB * 2}mb", show_error=False, ssr_mode=False, quiet=True)
    except OSError as e:
        print(f"无法在 {args.host}:{args.port} 上启动网页（{e}）；端口可能已被占用，请用 --port 换一个。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
