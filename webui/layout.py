"""The page's layout and look: chat and figures on the left, the evidence viewer and sources on the right,
file management below. `build_app` wires the components to `Handlers`; `LAUNCH` holds the launch options."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import gradio as gr

from .evidence import EMPTY
from .handlers import ALL, KINDS, SUGGESTIONS, Handlers, Ui, default_upload_dir
from .render import DOC_HEADERS, MAX_UPLOAD_MB, doc_rows, figures_html, findings_html, sources_html

EXAMPLES = ["三公经费为何增加", "公务接待费是多少", "机关运行经费比上年变化多少", "什么是机关运行经费", "那上年呢？"]

# System fonts only: the page must not fetch web fonts (offline machines), and CJK needs a CJK font.
_FONTS = ["system-ui", "-apple-system", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
          "sans-serif"]
THEME = gr.themes.Soft(font=_FONTS, font_mono=["ui-monospace", "Consolas", "monospace"])

CSS = """
#qa-title h1 { margin-bottom: 0.1em; }
#qa-title p { margin-top: 0; color: var(--body-text-color-subdued); }
#qa-status { font-size: 0.92em; }
#qa-examples, #qa-suggest { gap: 6px; flex-wrap: wrap; }
.qa-bottom { align-items: flex-end !important; }
.qa-bottom > button { height: 42px; margin-bottom: 2px; white-space: nowrap; }
#qa-examples button, #qa-suggest button, #qa-ev-tools button { flex: 0 1 auto !important; min-width: 0 !important;
  white-space: nowrap; }
/* the trash icon sat on the last bubble (清空对话 clears); the scroll-down arrow sits on the answer being read */
#qa-chat .top-panel, #qa-chat .scroll-down-button-container { display: none !important; }
#qa-chat .qa-cite { text-decoration: none; font-weight: 600; color: var(--color-accent); padding: 0 1px; }
#qa-chat .qa-foot { font-size: 0.86em; color: var(--body-text-color-subdued); }
#qa-chat details.qa-warn { margin-top: 6px; border-left: 3px solid #d48806; padding: 2px 8px; background: #fffbe6;
  color: #614700; border-radius: 4px; font-size: 0.9em; }
#qa-chat details.qa-warn summary { cursor: pointer; }
.qa-sources { max-height: 420px; overflow-y: auto; padding-right: 4px; }
.qa-src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
          margin: 0 0 8px 0; background: var(--block-background-fill); scroll-margin-top: 12px; }
.qa-src:target, .qa-src.qa-on { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.qa-src-head { font-weight: 600; line-height: 1.5; }
.qa-rank { display: inline-block; min-width: 1.8em; text-align: center; border-radius: 4px; margin-right: 4px;
           background: var(--color-accent-soft); color: var(--color-accent); }
.qa-src-meta { color: var(--body-text-color-subdued); font-size: 0.86em; line-height: 1.45; word-break: break-all; }
.qa-src-text { white-space: pre-wrap; line-height: 1.65; margin-top: 4px; word-break: break-word; }
.qa-src-text mark, .qa-upload mark { background: #ffe066; color: #1f1f1f; padding: 0 2px; border-radius: 2px; }
.qa-src details summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: 0.86em; }
.qa-empty, .qa-ev-empty { color: var(--body-text-color-subdued); padding: 6px 2px; }
.qa-ev-empty { padding: 24px 12px; border: 1px dashed var(--border-color-primary); border-radius: 8px; }
.qa-ev-scroll { max-height: 640px; overflow: auto; border: 1px solid var(--border-color-primary); border-radius: 8px;
                background: #f3f4f6; }
.qa-ev-page { position: relative; margin: 0 auto; }
.qa-ev-page img { display: block; width: 100%; height: auto; }
.qa-ev-box { position: absolute; pointer-events: none; }
#qa-ev-caption p { margin: 0; font-size: 0.88em; color: var(--body-text-color-subdued); }
#qa-src-pick .wrap { gap: 4px; }
#qa-src-pick label { padding: 2px 8px !important; font-size: 0.88em; }
.qa-upload ul { margin: 4px 0; padding-left: 0; list-style: none; }
.qa-upload li { margin: 3px 0; line-height: 1.5; }
.qa-ok { color: #237804; }
.qa-bad { color: #cf1322; }
.qa-tag { display: inline-block; font-size: 0.8em; padding: 0 5px; margin-right: 5px; border-radius: 4px;
          border: 1px solid currentColor; }
#qa-docs { min-width: 0; max-width: 100%; }
#qa-findings a.qa-finding { color: inherit; text-decoration: underline dotted; cursor: pointer; }
#qa-findings a.qa-finding:hover { color: var(--color-accent); }
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
  .qa-ev-scroll { max-height: 520px; }
  .qa-ev-page { min-width: 720px; }  /* a page at a phone's width is too small to read: scroll to the box instead */
  .qa-figtable table { min-width: 560px; }
}
"""

# Runs once the page is up: a citation marker [n] shows source n in the viewer; the upload links scroll to the
# upload box; Gradio's English labels for screen readers (not in its translations) are put in Chinese.
HEAD = r"""<style>
@media (max-width: 640px) { .gradio-container .main.fillable { padding-left: 8px !important; padding-right: 8px !important; } }
</style>
<script>
document.addEventListener('click', (ev) => {
  const cite = ev.target.closest && ev.target.closest('a.qa-cite');
  if (cite) {
    ev.preventDefault();
    const n = parseInt((cite.getAttribute('href') || '').replace('#qa-src-', ''), 10);
    const option = document.querySelectorAll('#qa-src-pick input[type=radio]')[n - 1];
    if (option) option.click();
    const viewer = document.querySelector('#qa-evidence');
    if (viewer && viewer.getBoundingClientRect().top > innerHeight) viewer.scrollIntoView({block: 'start'});
    return;
  }
  const up = ev.target.closest && ev.target.closest('a.qa-to-upload, #qa-to-upload');
  if (up) { ev.preventDefault(); document.querySelector('#qa-upload').scrollIntoView({block: 'center'}); }
}, true);
const ARIA = {'chatbot conversation': '对话', 'File upload': '上传文件', 'Click to upload or drop files': '点击上传或拖放文件',
              'Table actions': '表格操作', 'Open cell menu': '打开单元格菜单', 'Scroll down': '滚动到底部'};
const zh = (el) => {
  const v = el.getAttribute && el.getAttribute('aria-label');
  if (!v) return;
  const said = v.match(/^(bot|user)'s message: ([\s\S]*)$/);  // a chat bubble: its text, not its markup
  const w = ARIA[v] || (said && (said[1] === 'bot' ? '回答：' : '提问：') + said[2].replace(/<[^>]+>/g, '').slice(0, 300));
  if (w && w !== v) el.setAttribute('aria-label', w);
};
new MutationObserver((changes) => {
  for (const c of changes) {
    if (c.type === 'attributes') zh(c.target);
    else c.addedNodes.forEach((n) => n.querySelectorAll && [n, ...n.querySelectorAll('[aria-label]')].forEach(zh));
  }
}).observe(document.documentElement, {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label']});
</script>"""

# The viewer scrolls to the first highlighted box (once the page image has laid out).
SCROLL_TO_BOX = """setTimeout(() => {
    const sc = document.querySelector('#qa-evidence .qa-ev-scroll');
    const b = sc && sc.querySelector('.qa-ev-box');
    if (b) { sc.scrollTop = Math.max(0, b.offsetTop - sc.clientHeight / 3);
             sc.scrollLeft = Math.max(0, b.offsetLeft - sc.clientWidth / 4); }
  }, 200);"""
SHOW_BOX_JS = "() => { " + SCROLL_TO_BOX + " }"
# A finding in the findings list: the viewer shows its page (the handler gets which one) and comes into view.
FINDING_CLICK_JS = """element.addEventListener('click', (ev) => {
  const link = ev.target.closest && ev.target.closest('a.qa-finding');
  if (!link) return;
  ev.preventDefault();
  trigger('click', {doc: link.dataset.doc, n: parseInt(link.dataset.n, 10)});
  const viewer = document.querySelector('#qa-evidence-col');
  if (viewer) viewer.scrollIntoView({block: 'start'});
});"""
# After an answer: the chat shows the new question at its top, so the answer's start is in view (not its end).
SHOW_ANSWER_JS = """() => {
  const chat = document.querySelector('#qa-chat');
  if (chat) {
    const rows = chat.querySelectorAll('.message-row.user-row, .user-row');
    const last = rows[rows.length - 1];
    if (last) {
      let box = last.parentElement;
      while (box && box !== document.body && !(box.scrollHeight > box.clientHeight + 2 &&
             ['auto', 'scroll'].includes(getComputedStyle(box).overflowY))) box = box.parentElement;
      if (box && box !== document.body) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
    }
    const top = chat.getBoundingClientRect().top;
    if (top < 0 || top > innerHeight * 0.6) chat.scrollIntoView({block: 'start'});
  }
  """ + SCROLL_TO_BOX + "\n}"

# Gradio's own words on this page, in Chinese for a browser of any language (its zh-CN translations, given for
# "en": the language Gradio falls back to). Its footer (API, "Built with Gradio", Runs) is left out.
GRADIO_ZH = {
    "upload_text.click_to_upload": "点击上传", "upload_text.drop_file": "将文件拖放到此处", "common.or": "或",
    "common.error": "错误", "common.loading": "加载中", "common.clear": "清除", "common.download": "下载",
    "common.remove": "移除", "common.empty": "空", "common.undo": "撤销", "common.upload": "上传",
    "common.complete": "完成", "common.progress": "进度", "status.queue_position": "排队中：第 {position}/{size} 位",
    "file.uploading": "正在上传……", "chatbot.clear": "清空对话", "chatbot.copy_message": "复制",
    "chatbot.copied_message": "已复制",
}
LAUNCH = {"css": CSS, "head": HEAD, "theme": THEME, "footer_links": [], "i18n": gr.I18n(en=GRADIO_ZH)}


def build_app(assistant, upload_dir: str | Path | None = None, note: str = "") -> gr.Blocks:
    """The whole page over one Assistant."""
    with gr.Blocks(title="预决算公开问答") as demo:
        gr.Markdown("# 预决算公开问答\n用中文提问政府部门预算、决算公开文件：答案给出原文数字、表名、页码，"
                    "并在原文页面上标出出处。", elem_id="qa-title")
        status = gr.Markdown("", elem_id="qa-status")
        with gr.Row(equal_height=False, elem_id="qa-main"):
            with gr.Column(scale=1, min_width=320):
                with gr.Row(elem_id="qa-filters"):
                    # custom values allowed: the choices change as files come and go; handlers check them
                    unit = gr.Dropdown([ALL], value=ALL, label="单位", scale=3, min_width=170,
                                       allow_custom_value=True, elem_id="qa-unit")
                    year = gr.Dropdown([ALL], value=ALL, label="年度", scale=1, min_width=110,
                                       allow_custom_value=True, elem_id="qa-year")
                    kind = gr.Dropdown([ALL, *KINDS], value=ALL, label="预算/决算", scale=1, min_width=110,
                                       allow_custom_value=True, elem_id="qa-kind")
                chat = gr.Chatbot(show_label=False, height=460, elem_id="qa-chat", autoscroll=False, buttons=[],
                                  feedback_options=None,
                                  placeholder="请在下方输入问题，或点击示例问题。答案中的每个数字都来自原文表格或说明，"
                                              "原文页面上标出出处。")
                with gr.Row(elem_id="qa-ask-row", elem_classes=["qa-bottom"]):
                    question = gr.Textbox(label="问题", show_label=False, placeholder="输入问题，例如：三公经费为何增加", lines=1,
                                          max_lines=3, scale=5, min_width=160, elem_id="qa-question")
                    send = gr.Button("提问", variant="primary", scale=1, min_width=72, elem_id="qa-send")
                with gr.Row(elem_id="qa-suggest"):
                    suggestions = [gr.Button("", size="sm", visible=False, scale=0, min_width=0,
                                             elem_classes=["qa-suggestion"]) for _ in range(SUGGESTIONS)]
                    to_upload = gr.Button("上传该单位的公开文件", size="sm", visible=False, scale=0, min_width=0,
                                          elem_id="qa-to-upload")
                with gr.Row(elem_id="qa-examples"):
                    examples = [gr.Button(q, size="sm", variant="secondary", scale=0, min_width=0) for q in EXAMPLES]
                    clear = gr.Button("清空对话", size="sm", variant="stop", scale=0, min_width=0, elem_id="qa-clear")
                gr.Markdown("**数字**（原文中的数值，最相关的在前；项目为“行 › 栏”）", elem_id="qa-figures-title")
                figures = gr.HTML(figures_html([]), elem_id="qa-figures")
            with gr.Column(scale=1, min_width=320, elem_id="qa-evidence-col"):
                gr.Markdown("**原文证据**（答案引用的页面，红框为引用位置）", elem_id="qa-evidence-title")
                with gr.Column(visible=False, elem_id="qa-ev-controls") as controls:  # shown with an answer's sources
                    pick = gr.Radio([], label="来源", show_label=False, elem_id="qa-src-pick")
                    with gr.Row(elem_id="qa-ev-tools"):
                        prev_page = gr.Button("上一页", size="sm", scale=0, min_width=0, elem_id="qa-prev")
                        next_page = gr.Button("下一页", size="sm", scale=0, min_width=0, elem_id="qa-next")
                        zoom_out = gr.Button("缩小", size="sm", scale=0, min_width=0, elem_id="qa-zoom-out")
                        zoom_in = gr.Button("放大", size="sm", scale=0, min_width=0, elem_id="qa-zoom-in")
                    caption = gr.Markdown("", elem_id="qa-ev-caption")
                evidence = gr.HTML(EMPTY, elem_id="qa-evidence")
                gr.Markdown("**来源**（按相关度排序，答案中的数字已标出）", elem_id="qa-sources-title")
                sources = gr.HTML(sources_html([], []), elem_id="qa-sources")
        gr.Markdown("## 文件管理", elem_id="qa-files-title")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=320):
                # the label above the drop area, not floating over it
                gr.Markdown(f"**上传 PDF**（可多选，每个不超过 {MAX_UPLOAD_MB} MB；上传后即可提问）", elem_id="qa-upload-title")
                files = gr.File(label="上传 PDF", show_label=False, file_count="multiple", elem_id="qa-upload")
                upload_report = gr.HTML("", elem_id="qa-upload-report")
            with gr.Column(scale=3, min_width=320):
                docs = gr.Dataframe(headers=DOC_HEADERS, value=doc_rows([]), label="已收录文件", interactive=False,
                                    wrap=True, max_height=320, elem_id="qa-docs", buttons=[],
                                    column_widths=["170px", "64px", "64px", "64px", "64px", "72px", "260px"])
                with gr.Row(elem_id="qa-remove-row", elem_classes=["qa-bottom"]):
                    remove_pick = gr.Dropdown([], value=None, label="选择要移除的文件", scale=3, min_width=170,
                                              allow_custom_value=True, elem_id="qa-remove-pick")
                    remove = gr.Button("移除", variant="stop", scale=1, min_width=72, elem_id="qa-remove")
                remove_report = gr.HTML("", elem_id="qa-remove-report")
                with gr.Accordion("勾稽校验：文件内数字不一致之处", open=False, elem_id="qa-findings-box"):
                    findings = gr.HTML(findings_html([]), elem_id="qa-findings", js_on_load=FINDING_CLICK_JS)

        ui = Ui(status=status, unit=unit, year=year, kind=kind, chat=chat, question=question, suggestions=suggestions,
                to_upload=to_upload, figures=figures, controls=controls, pick=pick, caption=caption, evidence=evidence, sources=sources,
                files=files, upload_report=upload_report, docs=docs, remove_pick=remove_pick,
                remove_report=remove_report, findings=findings, context=gr.State(None), view=gr.State(None),
                asked=gr.State(""))
        api_ask = gr.Button(visible=False, elem_id="qa-api-ask")  # the one-step /ask endpoint for API clients
        buttons = Buttons(send, api_ask, examples, clear, prev_page, next_page, zoom_out, zoom_in, remove)
        h = Handlers(assistant, ui, Path(upload_dir) if upload_dir else default_upload_dir(), note)
        _wire(h, ui, buttons)
        demo.load(h.lists, [unit, year, kind], [docs, remove_pick, unit, year, kind, findings, status],
                  api_name="documents")
    return demo


@dataclass
class Buttons:
    send: gr.Button
    api_ask: gr.Button
    examples: list[gr.Button]
    clear: gr.Button
    prev_page: gr.Button
    next_page: gr.Button
    zoom_out: gr.Button
    zoom_in: gr.Button
    remove: gr.Button


def _wire(h: Handlers, ui: Ui, b: Buttons) -> None:
    filters = [ui.unit, ui.year, ui.kind]
    lists = [ui.docs, ui.remove_pick, *filters, ui.findings, ui.status]
    viewer = [ui.view, ui.evidence, ui.caption]
    shown = [ui.chat, ui.question, ui.context, ui.asked, ui.figures, ui.sources, ui.pick, *viewer, *ui.suggestions,
             ui.to_upload, ui.controls]
    quiet = {"show_progress": "hidden"}  # the chat's placeholder says an answer is coming; no English "processing"
    private = {"api_visibility": "private", **quiet}

    def then_show(event, js: str = SHOW_ANSWER_JS) -> None:
        event.then(None, js=js, **private)

    # the question shows at once (unqueued), then its answer; finally the view scrolls to it and the cited box
    echo = {"fn": h.echo, "inputs": [ui.question, ui.chat], "outputs": [ui.chat, ui.question, ui.asked], "queue": False,
            **private}

    def answer_after(echoed) -> None:
        then_show(echoed.then(h.answer, [ui.asked, ui.chat, ui.context, *filters], shown, **private))

    b.api_ask.click(h.answer, [ui.question, ui.chat, ui.context, *filters], shown, api_name="ask", **quiet)
    answer_after(b.send.click(**echo))
    answer_after(ui.question.submit(**echo))
    for button, q in zip(b.examples, EXAMPLES):
        answer_after(button.click(lambda q=q: q, None, ui.question, queue=False, **private).then(**echo))
    for button in ui.suggestions:
        then_show(button.click(h.suggested, [button, ui.asked, ui.chat, ui.context, ui.year, ui.kind],
                               [*shown, ui.unit], **private))
    b.clear.click(h.cleared, None, shown, **private)
    then_show(ui.pick.input(h.pick_source, [ui.pick, ui.view], viewer, **private), SHOW_BOX_JS)
    ui.findings.click(h.show_finding, None, [*viewer, ui.pick, ui.controls], **private)
    b.prev_page.click(partial(h.turn, step=-1), ui.view, viewer, **private)
    b.next_page.click(partial(h.turn, step=1), ui.view, viewer, **private)
    then_show(b.zoom_out.click(partial(h.zoom, step=-1), ui.view, viewer, **private), SHOW_BOX_JS)
    then_show(b.zoom_in.click(partial(h.zoom, step=1), ui.view, viewer, **private), SHOW_BOX_JS)
    ui.files.upload(h.upload, [ui.files, *filters], [ui.upload_report, ui.files, *lists], api_name="upload",
                    show_progress_on=ui.files)
    b.remove.click(h.remove, [ui.remove_pick, *filters], [ui.remove_report, *lists], api_name="remove",
                   show_progress_on=ui.remove_report)
