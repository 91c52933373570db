"""Pages of the planning assistant: ask and read answers, conversations, charts, summaries
and import help. Every page works without JavaScript; with HTMX a streaming answer and a
running summary refresh themselves in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.roles import ADMIN_ROLES, READ_ROLES, role_required
from assistant.charts import chart_data
from assistant.engine.chart_spec import ChartSpecError, validate_chart_spec
from assistant.forms import (
    AskForm,
    ChartSpecForm,
    ImportUploadForm,
    MappingForm,
    SummaryForm,
    mapping_initial,
)
from assistant.import_help import (
    ImportHelpError,
    file_profile,
    import_help_start,
    import_help_upload,
    mapping_proposed,
    uploaded_file,
)
from assistant.llm import ollama_health
from assistant.selectors import (
    conversation_exists,
    conversation_messages,
    conversations_visible,
    message_exists,
    messages_visible,
    summaries_of,
    summary_exists,
    summary_of,
)
from assistant.services import (
    AssistantRefused,
    conversation_ask,
    conversation_delete,
    summary_start,
)
from imports.formats.sop import SPECS


def _conversation(request, pk: int):
    """A conversation the user may read: 404 if there is none, 403 if it is someone else's
    (a conversation is private to its owner and the admins)."""
    found = conversations_visible(user=request.user).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied if conversation_exists(pk=pk) else Http404
    return found


def _message(request, pk: int):
    found = messages_visible(user=request.user).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied if message_exists(pk=pk) else Http404
    return found


def _with_rows(data: dict) -> dict:
    """Chart data plus its rows (one per label, a value per series) for the page's table."""
    series = data.get("series") or []
    rows = [
        {"label": label, "values": [s["values"][i] for s in series]}
        for i, label in enumerate(data.get("labels") or [])
    ]
    return {**data, "rows": rows}


def _message_url(message) -> str:
    return f"{reverse('assistant:conversation', args=[message.conversation_id])}#m{message.pk}"


@role_required(*READ_ROLES)
@require_GET
def index(request):
    context = {
        "form": AskForm(),
        "conversations": conversations_visible(user=request.user)[:50],
    }
    return render(request, "assistant/index.html", context)


@role_required(*READ_ROLES)
@require_POST
def ask(request, pk: int | None = None):
    conversation = _conversation(request, pk) if pk is not None else None
    if conversation is not None and conversation.user_id != request.user.pk:
        raise PermissionDenied  # admins read others' conversations but do not add to them
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            message = conversation_ask(
                user=request.user,
                question=form.cleaned_data["question"],
                conversation=conversation,
            )
        except AssistantRefused as exc:
            form.add_error("question", str(exc))
        else:
            if request.htmx:
                return render(request, "assistant/_message.html", {"message": message})
            return redirect(_message_url(message))
    if request.htmx:
        return render(
            request,
            "assistant/_ask_form.html",
            {"form": form, "conversation": conversation},
            status=400,
        )
    context = {"form": form, "conversation": conversation}
    if conversation is not None:
        context["messages_list"] = conversation_messages(conversation=conversation)
        return render(request, "assistant/conversation.html", context, status=400)
    context["conversations"] = conversations_visible(user=request.user)[:50]
    return render(request, "assistant/index.html", context, status=400)


@role_required(*READ_ROLES)
@require_GET
def conversation_detail(request, pk: int):
    conversation = _conversation(request, pk)
    context = {
        "conversation": conversation,
        "messages_list": conversation_messages(conversation=conversation),
        "form": AskForm(),
    }
    return render(request, "assistant/conversation.html", context)


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def conversation_delete_view(request, pk: int):
    conversation = _conversation(request, pk)
    if conversation.user_id != request.user.pk:
        raise PermissionDenied
    if request.method == "POST":
        conversation_delete(user=request.user, conversation=conversation)
        messages.success(request, f"Deleted the conversation “{conversation.title}”.")
        return redirect("assistant:index")
    return render(request, "assistant/delete.html", {"conversation": conversation})


@role_required(*READ_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def message_detail(request, pk: int):
    message = _message(request, pk)
    if request.htmx:
        return render(request, "assistant/_message.html", {"message": message})
    return redirect(_message_url(message))


@role_required(*READ_ROLES)
@require_GET
def message_chart(request, pk: int):
    """A chart answer: its specification as a form; the edited specification is validated
    again and drawn from the viewer's own scope, or refused with the engine's message on the
    field at fault."""
    message = _message(request, pk)
    stored = (message.chart or {}).get("spec")
    if not stored:
        raise Http404("This answer has no chart.")
    initial = ChartSpecForm.initial_from(stored)
    form = ChartSpecForm(request.GET or None, initial=initial)
    spec, refusal = None, ""
    try:
        if form.is_bound:
            if form.is_valid():
                spec = validate_chart_spec(form.raw_spec())
        else:
            spec = validate_chart_spec(stored)
    except ChartSpecError as exc:
        refusal = str(exc)
        form.add_error(exc.field if exc.field in form.fields else None, refusal)
    context = {
        "message": message,
        "form": form,
        "spec": spec.as_dict() if spec else None,
        "refusal": refusal,
        "chart": _with_rows(chart_data(spec=spec, scope=request.scope)) if spec else None,
    }
    return render(request, "assistant/chart.html", context, status=200 if spec else 400)


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def summaries(request):
    form = SummaryForm(request.scope, request.POST or None, initial={"subject": "briefing"})
    if request.method == "POST" and form.is_valid():
        job = summary_start(user=request.user, params=form.cleaned_data["params"])
        return redirect("assistant:summary", pk=job.pk)
    context = {"form": form, "summaries": summaries_of(user=request.user)}
    return render(request, "assistant/summaries.html", context, status=400 if form.errors else 200)


@role_required(*READ_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def summary_detail(request, pk: int):
    job = summary_of(user=request.user, pk=pk)
    if job is None:
        raise PermissionDenied if summary_exists(pk=pk) else Http404
    template = "assistant/summary.html#summary-body" if request.htmx else "assistant/summary.html"
    return render(request, template, {"job": job})


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def import_help(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = import_help_upload(user=request.user, upload=form.cleaned_data["file"])
        return redirect("assistant:import_mapping", token=token)
    return render(
        request, "assistant/import_help.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def import_mapping(request, token: str):
    """The file's profile and the proposed mapping; nothing is written until it is confirmed."""
    try:
        path = uploaded_file(user=request.user, token=token)
        profile = file_profile(path=path)
    except ImportHelpError as exc:
        raise Http404(str(exc)) from None
    proposal = mapping_proposed(profile)
    kind = request.POST.get("kind") or request.GET.get("kind") or proposal.kind
    if kind not in SPECS:
        kind = proposal.kind
    if kind == proposal.kind:
        mapping = proposal.mapping
    else:
        mapping = {c.name: "" for c in SPECS[kind].columns}
    initial = mapping_initial(kind=kind, mapping=mapping, date_format=proposal.date_format)
    confirming = request.method == "POST" and "confirm" in request.POST
    form = MappingForm(profile, kind, request.POST if confirming else None, initial=initial)
    if confirming and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_help_start(
                user=request.user,
                token=token,
                kind=kind,
                mapping=data["mapping"],
                date_format=data["date_format"],
                create_missing=data["create_missing"],
                skip_invalid=data["skip_invalid"],
            )
        except ImportHelpError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("jobs:detail", pk=job.pk)
    context = {"profile": profile, "proposal": proposal, "form": form, "kind": kind, "token": token}
    return render(
        request, "assistant/import_mapping.html", context, status=400 if form.errors else 200
    )


@role_required(*ADMIN_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def ollama_health_view(request):
    """Whether the company's Ollama server answers and which models it has. The jobs page
    loads this part on its own, so a server that does not answer never slows that page."""
    context = {"health": ollama_health()}
    template = "assistant/health.html#health" if request.htmx else "assistant/health.html"
    return render(request, template, context)
