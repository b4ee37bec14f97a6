from typing import Any


def body_of(response: Any) -> bytes:
    """The whole body of a plain or streamed response."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)
