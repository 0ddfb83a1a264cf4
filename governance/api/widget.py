"""What the chat widget shows around the conversation (labels, buttons, notices) comes from data/texts.yml,
so a municipality changes its words without touching code. Public: the widget needs them before a
conversation exists."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from governance.api.deps import RuntimeDep

router = APIRouter(prefix="/widget", tags=["Gesprekken"])
PREFIX = "widget_"


@router.get(
    "/texts",
    summary="Teksten van de chat",
    description=(
        "Alle teksten van de chat (knoppen, meldingen) uit de configuratie: in B1-Nederlands, of in het Engels met `lang=en`."
    ),
    operation_id="getWidgetTexts",
    response_model=dict[str, str],
)
def widget_texts(
    runtime: RuntimeDep, lang: Literal["nl", "en"] = Query("nl", description="De taal van de teksten: nl of en.")
) -> JSONResponse:
    texts = {
        key[len(PREFIX) :]: runtime.texts.get(key, lang, position="{position}", minutes="{minutes}")
        for key in runtime.texts.keys(PREFIX)
    }
    return JSONResponse(texts, headers={"Cache-Control": "public, max-age=300"})
