"""PDF → Document. One concept per module: pdf (pages), text (lines), tables, meta, document."""
from .document import parse_pdf
from .pdf import ParseError
from .settings import ParseSettings

__all__ = ["parse_pdf", "ParseError", "ParseSettings"]
