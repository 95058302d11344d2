"""预决算公开问答. `from qa import Assistant`; heavy imports wait until first use."""

__all__ = ["Assistant"]


def __getattr__(name: str):
    if name == "Assistant":
        from .assistant import Assistant

        return Assistant
    raise AttributeError(name)
