"""A loopback HTTP server that speaks enough of Ollama's API to drive the assistant.

Tests and ``evaluate_assistant`` point ``OLLAMA_HOST`` at it. It answers ``/api/tags``,
``/api/generate`` and ``/api/chat`` (streamed NDJSON, with tool calls) following a script:
per question, which tool calls to emit in each round, then a final answer composed from the
tool results it is sent back, so the numbers it states are the tools' numbers. Modes stand in
for a misbehaving model: ``malformed`` (tool call arguments that are not an object),
``timeout`` (answers only after ``delay_s``), ``invent`` (states a figure no tool returned)
and ``gullible`` (obeys ``CALL tool({...})`` instructions found inside tool results, as a
model fooled by a prompt injection would).

It runs in a thread on port 0 of 127.0.0.1 and uses only the standard library.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CallList = list[dict[str, Any]]
Round = CallList | Callable[[list[dict[str, Any]]], CallList]

INJECTED_CALL = re.compile(r"CALL\s+([A-Za-z_][\w]*)\((\{.*?\})\)")
MODES = ("normal", "malformed", "timeout", "invent", "gullible")


def facts_answer(results: list[dict[str, Any]]) -> str:
    """The default final answer: each tool's facts and listed rows, numbers as the tool
    gave them (a model restating its tool results, in its own format)."""
    lines = []
    for result in results:
        if "error" in result:
            lines.append(f"{result.get('tool', 'tool')} failed: {result['error']}")
            continue
        for fact in result.get("facts", []):
            value = fact.get("value")
            lines.append(f"{fact['label']}: {value} {fact.get('unit', '')}".rstrip())
        data = result.get("data", {})
        if data.get("message"):
            lines.append(str(data["message"]))
        for key, rows in data.items():
            if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
                lines.append(f"{key}:")
                lines += ["  " + ", ".join(f"{k} {v}" for k, v in row.items()) for row in rows]
    return "\n".join(lines) or "The tools returned nothing."


@dataclass
class ScriptedQuestion:
    """How the fake model treats a question containing ``match`` (case-insensitive)."""

    match: str
    rounds: list[Round] = field(default_factory=list)
    compose: Callable[[list[dict[str, Any]]], str] = facts_answer
    mode: str = "normal"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")


class FakeOllama:
    """``with FakeOllama(script) as fake: settings.OLLAMA_HOST = fake.url``."""

    def __init__(
        self,
        script: list[ScriptedQuestion] | None = None,
        *,
        models: tuple[str, ...] = ("phi3:medium-128k", "llava-phi3:latest"),
        delay_s: float = 5.0,
        model_name: str = "phi3:medium-128k",
    ) -> None:
        self.script = list(script or [])
        self.models = models
        self.delay_s = delay_s
        self.model_name = model_name
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- life cycle ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Ollama server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOllama:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read ``requests`` instead of a log."""

            def do_GET(self) -> None:
                fake._handle(self, "GET", {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {}
                fake._handle(self, "POST", body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what the tests look at ---------------------------------------------------------

    def chat_requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [body for path, body in self.requests if path == "/api/chat"]

    # --- the API ------------------------------------------------------------------------

    def _entry(self, question: str) -> ScriptedQuestion | None:
        text = question.lower()
        return next((q for q in self.script if q.match.lower() in text), None)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str, body: dict) -> None:
        path = handler.path.split("?")[0]
        with self._lock:
            self.requests.append((path, body))
        if path == "/api/tags" and method == "GET":
            self._send_json(handler, {"models": [self._model(m) for m in self.models]})
        elif path == "/api/chat" and method == "POST":
            self._chat(handler, body)
        elif path == "/api/generate" and method == "POST":
            self._generate(handler, body)
        elif path == "/api/version":
            self._send_json(handler, {"version": "0.0.0-fake"})
        else:
            self._send_json(handler, {"error": f"{path} not found"}, status=404)

    @staticmethod
    def _model(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "model": name,
            "modified_at": "2026-01-01T00:00:00Z",
            "size": 0,
            "digest": "fake",
            "details": {"format": "gguf", "family": "fake", "parameter_size": "0B"},
        }

    @staticmethod
    def _send_json(handler: BaseHTTPRequestHandler, payload: dict, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _stream(self, handler: BaseHTTPRequestHandler, chunks: list[dict[str, Any]]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/x-ndjson")
        handler.end_headers()
        try:
            for chunk in chunks:
                handler.wfile.write(json.dumps(chunk).encode() + b"\n")
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def _chunk(self, message: dict[str, Any], *, done: bool) -> dict[str, Any]:
        chunk = {
            "model": self.model_name,
            "created_at": "2026-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": "", **message},
            "done": done,
        }
        if done:
            chunk["done_reason"] = "stop"
        return chunk

    def _reply(self, handler: BaseHTTPRequestHandler, body: dict, message: dict[str, Any]):
        if body.get("stream", True):
            chunks = []
            content = message.get("content", "")
            if content:
                for word in re.findall(r"\S+\s*", content):
                    chunks.append(self._chunk({"content": word}, done=False))
            if message.get("tool_calls"):
                chunks.append(self._chunk({"tool_calls": message["tool_calls"]}, done=False))
            chunks.append(self._chunk({}, done=True))
            self._stream(handler, chunks)
        else:
            self._send_json(handler, self._chunk(message, done=True))

    def _installed(self, handler: BaseHTTPRequestHandler, body: dict) -> bool:
        """Like Ollama, a model that is not pulled answers 404."""
        wanted = body.get("model", "")
        names = set(self.models) | {m.removesuffix(":latest") for m in self.models}
        if wanted in names or f"{wanted}:latest" in names:
            return True
        self._send_json(handler, {"error": f"model '{wanted}' not found"}, status=404)
        return False

    def _chat(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        if not self._installed(handler, body):
            return
        messages = body.get("messages") or []
        question = next((m.get("content", "") for m in messages if m.get("role") == "user"), "")
        entry = self._entry(question)
        if entry is not None and entry.mode == "timeout":
            time.sleep(self.delay_s)
        results = [_parsed(m.get("content", "")) for m in messages if m.get("role") == "tool"]
        rounds_done = sum(
            1 for m in messages if m.get("role") == "assistant" and m.get("tool_calls")
        )
        if entry is None or not body.get("tools"):
            self._reply(handler, body, {"content": _plain_reply(question)})
            return
        if rounds_done < len(entry.rounds):
            planned = entry.rounds[rounds_done]
            calls = planned(results) if callable(planned) else planned
            if entry.mode == "malformed":
                tool_calls = [
                    {"function": {"name": c["name"], "arguments": "{region: North"}} for c in calls
                ]
            else:
                tool_calls = [
                    {"function": {"name": c["name"], "arguments": c.get("arguments", {})}}
                    for c in calls
                ]
            self._reply(handler, body, {"tool_calls": tool_calls})
            return
        if entry.mode == "gullible":
            injected = self._injected_calls(messages)
            if injected:
                self._reply(handler, body, {"tool_calls": injected})
                return
        answer = entry.compose(results)
        if entry.mode == "invent":
            answer += "\nAlso, about 987,654 units will be needed next quarter."
        self._reply(handler, body, {"content": answer})

    @staticmethod
    def _injected_calls(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Instructions found in tool results, not yet obeyed (a fooled model's next move)."""
        already = {
            json.dumps(call.get("function", {}), sort_keys=True)
            for m in messages
            if m.get("role") == "assistant"
            for call in m.get("tool_calls") or []
        }
        calls = []
        for m in messages:
            if m.get("role") != "tool":
                continue
            for name, arguments in INJECTED_CALL.findall(m.get("content", "").replace('\\"', '"')):
                try:
                    parsed = json.loads(arguments)
                except json.JSONDecodeError:
                    continue
                function = {"name": name, "arguments": parsed}
                if json.dumps(function, sort_keys=True) not in already:
                    calls.append({"function": function})
        return calls

    def _generate(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        if not self._installed(handler, body):
            return
        prompt = body.get("prompt", "")
        entry = self._entry(prompt)
        if entry is not None and entry.mode == "timeout":
            time.sleep(self.delay_s)
        images = body.get("images") or []
        text = (
            f"A chart ({len(images)} image(s)) described by the fake vision model."
            if images
            else _plain_reply(prompt)
        )
        payload = {
            "model": body.get("model", self.model_name),
            "created_at": "2026-01-01T00:00:00Z",
            "response": text,
            "done": True,
            "done_reason": "stop",
        }
        if body.get("stream", True):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/x-ndjson")
            handler.end_headers()
            handler.wfile.write(json.dumps(payload).encode() + b"\n")
        else:
            self._send_json(handler, payload)


def _parsed(content: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except json.JSONDecodeError:
        return {"error": "unreadable tool result"}
    return value if isinstance(value, dict) else {"error": "unreadable tool result"}


def _plain_reply(prompt: str) -> str:
    """An answer without tools: the first line of the prompt, restated (summaries)."""
    first = prompt.strip().splitlines()[0] if prompt.strip() else ""
    return f"Summary: {first[:300]}"
