"""The company's own Ollama server: a client with time-outs, a health check, plain text.

Host, models and time-outs come from settings (``OLLAMA_*``). Nothing here raises for a
server that is down, slow or missing a model: callers get ``None`` (or an unhealthy
``OllamaHealth``) and answer from the templates instead, which is the normal case on a fresh
machine without Ollama.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import ollama
import pydantic
from django.conf import settings

logger = logging.getLogger(__name__)

# What the client raises when the server is down, slow, refuses or sends nonsense.
MODEL_FAILURES = (
    ollama.ResponseError,
    ollama.RequestError,
    ConnectionError,
    httpx.HTTPError,
    ValueError,  # pydantic's ValidationError and JSON decoding errors are ValueErrors
    TypeError,
    KeyError,
)


def client(*, timeout_s: float | None = None) -> ollama.Client:
    """A client for ``OLLAMA_HOST``; connecting gives up after ``OLLAMA_CONNECT_TIMEOUT_S``
    and any read after ``timeout_s`` (default ``OLLAMA_TIMEOUT_S``)."""
    read = settings.OLLAMA_TIMEOUT_S if timeout_s is None else timeout_s
    return ollama.Client(
        host=settings.OLLAMA_HOST,
        timeout=httpx.Timeout(read, connect=settings.OLLAMA_CONNECT_TIMEOUT_S),
    )


def failure_reason(error: BaseException) -> str:
    """Why the model did not answer, in words for the notice beside the answer."""
    if isinstance(error, httpx.TimeoutException):
        return f"the model did not answer within {settings.OLLAMA_TIMEOUT_S:g} s"
    if isinstance(error, ConnectionError | httpx.ConnectError):
        return f"no Ollama server answers at {settings.OLLAMA_HOST}"
    if isinstance(error, ollama.ResponseError):
        if error.status_code == 404:
            return f"the model {settings.OLLAMA_TEXT_MODEL} is not installed on the Ollama server"
        return f"the Ollama server refused the request ({error.status_code})"
    if isinstance(error, pydantic.ValidationError):
        return "the model sent a malformed tool call"
    return "the model's reply could not be read"


@dataclass(frozen=True)
class OllamaHealth:
    """For the admins' jobs page: can the assistant use its models?"""

    reachable: bool
    host: str
    text_model: str
    vision_model: str
    text_model_present: bool
    vision_model_present: bool
    models: tuple[str, ...]
    message: str

    @property
    def ok(self) -> bool:
        return self.reachable and self.text_model_present


def _present(wanted: str, installed: tuple[str, ...]) -> bool:
    """Ollama names ``phi3`` and ``phi3:latest`` the same model."""
    names = set(installed) | {name.removesuffix(":latest") for name in installed}
    return wanted in names or f"{wanted}:latest" in names


def ollama_health() -> OllamaHealth:
    """Whether the server answers (quickly) and has the text and vision models."""
    text, vision = settings.OLLAMA_TEXT_MODEL, settings.OLLAMA_VISION_MODEL
    try:
        listing = client(timeout_s=settings.OLLAMA_CONNECT_TIMEOUT_S).list()
    except MODEL_FAILURES as error:
        return OllamaHealth(
            reachable=False,
            host=settings.OLLAMA_HOST,
            text_model=text,
            vision_model=vision,
            text_model_present=False,
            vision_model_present=False,
            models=(),
            message=f"Unreachable: {failure_reason(error)}. The assistant answers from "
            "templates (grounded in the same figures) until it is.",
        )
    installed = tuple(sorted(m.model for m in listing.models if m.model))
    has_text, has_vision = _present(text, installed), _present(vision, installed)
    missing = [name for name, present in ((text, has_text), (vision, has_vision)) if not present]
    message = (
        f"Reachable; missing model(s): {', '.join(missing)} (ollama pull …)."
        if missing
        else f"Reachable; {text} and {vision} are installed."
    )
    return OllamaHealth(
        reachable=True,
        host=settings.OLLAMA_HOST,
        text_model=text,
        vision_model=vision,
        text_model_present=has_text,
        vision_model_present=has_vision,
        models=installed,
        message=message,
    )


def stream_chat(
    *, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
) -> Iterator[Any]:
    """The text model's streamed reply (``ollama.ChatResponse`` chunks); raises the client's
    errors, which callers catch as ``MODEL_FAILURES``."""
    return client().chat(
        model=settings.OLLAMA_TEXT_MODEL,
        messages=messages,
        tools=tools,
        stream=True,
        options={"temperature": 0},
    )


def chat_text(
    *, system: str, prompt: str, on_text: Callable[[str], None] | None = None
) -> str | None:
    """The text model's reply to ``prompt`` (streamed to ``on_text``), or ``None`` when the
    server is unreachable, slow or fails: the caller then writes its template text."""
    messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
    parts: list[str] = []
    try:
        for chunk in stream_chat(messages=messages):
            text = chunk.message.content or ""
            if text:
                parts.append(text)
                if on_text is not None:
                    on_text(text)
    except MODEL_FAILURES as error:
        logger.info("Ollama chat failed: %s", failure_reason(error))
        return None
    return "".join(parts).strip() or None


def describe_image(*, prompt: str, image_png: bytes) -> str | None:
    """The vision model's description of a chart rendered on the server, or ``None``."""
    try:
        reply = client().generate(
            model=settings.OLLAMA_VISION_MODEL, prompt=prompt, images=[image_png], stream=False
        )
    except MODEL_FAILURES as error:
        logger.info("Ollama generate failed: %s", failure_reason(error))
        return None
    return (reply.response or "").strip() or None
