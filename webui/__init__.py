"""The chat page over `qa.Assistant`: render (answers, figures, sources → HTML/Markdown, pure), evidence (the
cited PDF page with its boxes highlighted), handlers (events → {component: value}), layout (the Gradio page)."""
