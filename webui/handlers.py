"""Event handlers over one Assistant. Each returns {component: new value} for the components it changes."""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr

from .evidence import ZOOMS, View, evidence_html, page_count, places_for, places_for_finding
from .render import (PENDING, REASONS, check_upload, doc_rows, esc, figure_rows, figures_html, findings_html,
                     md_text, reply_markdown, safe_name, source_choices, sources_html)

ALL = "全部"
KINDS = ["预算", "决算"]
MAX_QUESTION_CHARS = 300
SUGGESTIONS = 3  # buttons for the units a question may mean
SUGGEST_PREFIX, SUGGEST_SUFFIX = "您指的是：", "？"

log = logging.getLogger("qa.app")


@dataclass
class Ui:
    """The components handlers update (built by layout.build_app)."""

    status: gr.Markdown
    unit: gr.Dropdown
    year: gr.Dropdown
    kind: gr.Dropdown
    chat: gr.Chatbot
    question: gr.Textbox
    suggestions: list[gr.Button]
    to_upload: gr.Button
    figures: gr.HTML
    controls: gr.Column  # the source switcher, page and zoom buttons, caption: shown once there are sources
    pick: gr.Radio
    caption: gr.Markdown
    evidence: gr.HTML
    sources: gr.HTML
    files: gr.File
    upload_report: gr.HTML
    docs: gr.Dataframe
    remove_pick: gr.Dropdown
    remove_report: gr.HTML
    findings: gr.HTML
    context: gr.State
    view: gr.State
    asked: gr.State  # the question last asked, for the "您指的是" buttons


def oops(message: str) -> gr.Error:
    """A Chinese message for the user (a toast titled 提示), without a traceback in the console."""
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


def _text(message: dict) -> str:
    """A chat message's text: the page sends content back as a string or as a list of {"type": "text", …} parts."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def _filter(value) -> str | None:
    return None if value in (None, "", ALL) else str(value).strip()


class Handlers:
    """The page's events; writes (ingest, remove) are serialized."""

    def __init__(self, assistant, ui: Ui, upload_dir: Path, note: str = ""):
        self.a = assistant
        self.ui = ui
        self.upload_dir = upload_dir.resolve()
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

    def lists(self, unit=ALL, year=ALL, kind=ALL) -> dict:
        """Documents table, remove picker, the three filters, findings and the status line, from the registry."""
        docs = self.docs()
        units, years, removable = self.choices(docs)
        kinds = [k for k in KINDS if any(d.kind == k for d in docs)] or KINDS
        keep = lambda v, opts: v if v in opts else ALL  # noqa: E731
        ui = self.ui
        return {
            ui.docs: gr.update(value=doc_rows(docs)),
            ui.remove_pick: gr.update(choices=removable, value=None),
            ui.unit: gr.update(choices=[ALL, *units], value=keep(unit, units)),
            ui.year: gr.update(choices=[ALL, *years], value=keep(year, years)),
            ui.kind: gr.update(choices=[ALL, *kinds], value=keep(kind, kinds)),
            ui.findings: findings_html(docs),
            ui.status: self.status_text(docs),
        }

    # ask --------------------------------------------------------------------------------------------------
    def echo(self, question, history) -> dict:
        """The question shows in the chat at once, with a placeholder for the answer on its way."""
        question = (question or "").strip()
        if not question:
            gr.Warning("请先输入问题，例如：公务接待费是多少", title="提示")
            return {self.ui.question: ""}
        history = [*(history or []), {"role": "user", "content": md_text(question)},
                   {"role": "assistant", "content": PENDING}]
        return {self.ui.chat: history, self.ui.question: "", self.ui.asked: question}

    def answer(self, question, history, context, unit, year, kind) -> dict:
        """Answer in the chat; fill the figures, the sources and the evidence viewer (its top source shown)."""
        ui = self.ui
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            return {ui.chat: history}
        if len(history) >= 2 and _text(history[-1]) == PENDING:
            history = history[:-2]  # the echo of this question: replaced by the question and its answer
        history.append({"role": "user", "content": md_text(question)})

        def say(text: str) -> dict:  # a reply without figures or sources: the panels are cleared
            history.append({"role": "assistant", "content": text})
            return {**self.cleared(), ui.chat: history, ui.context: context, ui.question: "", ui.asked: question}

        if len(question) > MAX_QUESTION_CHARS:
            return say(f"问题太长了（超过 {MAX_QUESTION_CHARS} 字），请简短一些再问。")
        unit, kind, year = _filter(unit), _filter(kind), _filter(year)
        if year is not None and not re.fullmatch(r"(19|20)\d\d", year):
            return say(f"年度筛选“{md_text(year)}”不是有效的年份，请重新选择。")
        try:
            ans = self.a.ask(question, k=5, context=context or None, unit=unit, year=int(year) if year else None,
                             kind=kind)
            docs = self.docs()
            kinds = {d.id: d.kind or "" for d in docs}
            view = View(places_for(ans, {d.id: d.path for d in docs}))
            view.page = view.place.page if view.place else 0
            out = {
                ui.figures: figures_html(figure_rows(ans.figures, ans.sources)),
                ui.sources: sources_html(ans.sources, ans.figures, kinds, ans.answer),
                **self._viewer(view),
            }
        except Exception:
            log.exception("ask failed: %r", question)
            return say("抱歉，回答这个问题时出现了内部错误。请换个问法，或稍后再试。")
        history.append({"role": "assistant", "content": reply_markdown(ans)})
        choices = source_choices(ans.sources)
        units = list(getattr(ans, "candidates", []) or [])[:SUGGESTIONS]
        return {
            **out, ui.chat: history, ui.question: "", ui.context: ans.analysis, ui.asked: question,
            ui.pick: gr.update(choices=choices, value=0 if choices else None), ui.controls: gr.update(visible=bool(choices)),
            **{b: gr.update(value=f"{SUGGEST_PREFIX}{u}{SUGGEST_SUFFIX}", visible=True)
               for b, u in zip(ui.suggestions, units)},
            **{b: gr.update(visible=False) for b in ui.suggestions[len(units):]},
            ui.to_upload: gr.update(visible=not ans.found),
        }

    def suggested(self, label, asked, history, context, year, kind) -> dict:
        """"您指的是：X？" — the last question again, with X as the unit filter."""
        unit = str(label or "").removeprefix(SUGGEST_PREFIX).removesuffix(SUGGEST_SUFFIX)
        out = self.answer(asked, history, context, unit, year, kind)
        return {**out, self.ui.unit: gr.update(value=unit)}

    def cleared(self) -> dict:
        """Chat, textbox, context, figures, sources, viewer and suggestions — all empty."""
        ui = self.ui
        return {
            ui.chat: [], ui.question: "", ui.context: None, ui.figures: figures_html([]),
            ui.sources: sources_html([], []), ui.pick: gr.update(choices=[], value=None),
            ui.controls: gr.update(visible=False),
            **self._viewer(View()), **{b: gr.update(visible=False) for b in ui.suggestions},
            ui.to_upload: gr.update(visible=False),
        }

    # evidence viewer --------------------------------------------------------------------------------------
    def _viewer(self, view: View) -> dict:
        html, caption = evidence_html(view)
        return {self.ui.view: view, self.ui.evidence: html, self.ui.caption: caption}

    @friendly("显示原文页面")
    def pick_source(self, index, view) -> dict:
        """Show another source's page."""
        if not isinstance(view, View) or index is None or not 0 <= int(index) < len(view.places):
            return {}
        place = view.places[int(index)]
        return self._viewer(replace(view, index=int(index), page=place.page))

    @friendly("显示勾稽问题所在页面")
    def show_finding(self, evt: gr.EventData) -> dict:
        """A finding clicked in the findings list ({doc, n} from the page's script): its pages in the viewer, the
        first shown, each in the source switcher."""
        data = evt._data if isinstance(evt._data, dict) else {}
        rec = next((d for d in self.docs() if d.id == data.get("doc")), None)
        n = data.get("n")
        if rec is None or not isinstance(n, int) or not 0 <= n < len(rec.findings):
            return {}
        view = View(places_for_finding(rec, rec.findings[n]))
        if view.place is None:
            return {}
        view.page = view.place.page
        choices = [(f"[{i}] 第{p.page}页 · 勾稽问题", i - 1) for i, p in enumerate(view.places, 1)]
        return {**self._viewer(view), self.ui.pick: gr.update(choices=choices, value=0),
                self.ui.controls: gr.update(visible=True)}

    @friendly("翻页")
    def turn(self, view, step: int) -> dict:
        if not isinstance(view, View) or view.place is None:
            return {}
        last = page_count(view)
        return self._viewer(replace(view, page=min(max(1, view.page + step), last or view.page)))

    @friendly("缩放")
    def zoom(self, view, step: int) -> dict:
        if not isinstance(view, View) or view.place is None:
            return {}
        at = ZOOMS.index(view.zoom) if view.zoom in ZOOMS else 0
        return self._viewer(replace(view, zoom=ZOOMS[min(max(0, at + step), len(ZOOMS) - 1)]))

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
    def upload(self, files, unit, year, kind, progress=gr.Progress()) -> dict:
        """Check, copy and index each uploaded file; report each by name; refresh the lists."""
        ui = self.ui
        paths = [Path(getattr(f, "name", f)) for f in (files if isinstance(files, list) else [files] if files else [])]
        if not paths:
            return {ui.upload_report: '<div class="qa-upload">请选择要上传的 PDF 文件（可以一次选择多个）。</div>',
                    ui.files: None, **self.lists(unit, year, kind)}
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
        return {ui.upload_report: report, ui.files: None, **self.lists(unit, year, kind)}

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
    def remove(self, doc_id, unit, year, kind) -> dict:
        rec = next((d for d in self.docs() if d.id == doc_id), None) if doc_id else None
        if rec is None:
            raise oops("请先在列表中选择要移除的文件。")
        with self.write_lock:
            self.a.remove(rec.id)
        if rec.path:
            self._drop(Path(rec.path))
        msg = f'<div class="qa-upload">已移除 <b>{esc(rec.file)}</b>（{esc(rec.unit or "")} {rec.year or ""}）。</div>'
        return {self.ui.remove_report: msg, **self.lists(unit, year, kind)}


def default_upload_dir() -> Path:
    return Path(os.environ.get("QA_INDEX", "index")) / "uploads"
