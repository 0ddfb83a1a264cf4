// Server-sent events over fetch, so the bearer token travels in a header (EventSource cannot send one)
// and never in a URL. Reconnects with Last-Event-ID after a network drop; used by the widget and the console.
"use strict";
(function () {
  function parse(chunk) {
    const event = { name: "message", id: null, data: "" };
    chunk.split("\n").forEach(function (line) {
      if (line.startsWith("event: ")) event.name = line.slice(7);
      else if (line.startsWith("id: ")) event.id = line.slice(4);
      else if (line.startsWith("data: ")) event.data += line.slice(6);
    });
    return event;
  }

  // open(url, headers, onEvent, onStatus) -> { close() }. onEvent(name, data, id); onStatus("open" | "retrying").
  function open(url, headers, onEvent, onStatus) {
    let closed = false;
    let lastId = null;
    let controller = null;
    let delay = 1000;

    async function connect() {
      while (!closed) {
        controller = new AbortController();
        try {
          const sendHeaders = Object.assign({}, headers);
          if (lastId !== null) sendHeaders["Last-Event-ID"] = lastId;
          const response = await fetch(url, { headers: sendHeaders, signal: controller.signal, cache: "no-store" });
          if (response.status === 401 || response.status === 403 || response.status === 404) {
            if (onStatus) onStatus("denied", response.status);
            return;
          }
          if (!response.ok || !response.body) throw new Error("stream " + response.status);
          if (onStatus) onStatus("open");
          delay = 1000;
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const part = await reader.read();
            if (part.done) break;
            buffer += decoder.decode(part.value, { stream: true });
            let index;
            while ((index = buffer.indexOf("\n\n")) >= 0) {
              const chunk = buffer.slice(0, index);
              buffer = buffer.slice(index + 2);
              if (!chunk.trim() || chunk.startsWith(":") || chunk.startsWith("retry:")) continue;
              const event = parse(chunk);
              if (event.id !== null) lastId = event.id;
              try { onEvent(event.name, JSON.parse(event.data), event.id); } catch (e) { /* a bad event must not stop the stream */ }
            }
          }
        } catch (error) {
          if (closed) return;
        }
        if (closed) return;
        if (onStatus) onStatus("retrying");
        await new Promise(function (resolve) { setTimeout(resolve, delay); });
        delay = Math.min(delay * 2, 15000);
      }
    }

    connect();
    return {
      close: function () { closed = true; if (controller) controller.abort(); },
      setLastId: function (id) { lastId = id === null ? null : String(id); },
    };
  }

  window.GemeenteSSE = { open: open };
})();
