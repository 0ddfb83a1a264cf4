"""What the chat widget shows around the conversation (labels, buttons, notices) comes from data/texts.yml,
so a municipality changes its words without touching code. Public: the widget needs them before a
conversation exists."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from governance.deps import RuntimeDep

router = APIRouter(prefix="/widget", tags=["Gesprekken"])
PREFIX = "widget_"


@router.get(
    "/texts",
    summary="Teksten van de chat",
    description="Alle teksten van de chat (knoppen, meldingen), in B1-Nederlands, uit de configuratie.",
    operation_id="getWidgetTexts",
    response_model=dict[str, str],
)
def widget_texts(runtime: RuntimeDep) -> JSONResponse:
    texts = {
        key[len(PREFIX) :]: runtime.texts.get(key, position="{position}", minutes="{minutes}")
        for key in runtime.texts.keys(PREFIX)
    }
    return JSONResponse(texts, headers={"Cache-Control": "public, max-age=300"})
