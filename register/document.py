"""A small document model rendered as Markdown and as print-ready HTML, so the DPIA and IAMA drafts are
written once. Parts only people can write are a `Todo` block, marked "In te vullen door de gemeente"."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from register.phrases import phrase

TODO_LABEL = phrase("todo_label")


@dataclass(frozen=True)
class Todo:
    hint: str


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


Block = str | list[str] | Table | Todo  # a paragraph, a bullet list, a table, or a part for people


@dataclass
class Section:
    number: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]

    @property
    def todo_count(self) -> int:
        return sum(isinstance(b, Todo) for s in self.sections for b in s.blocks)


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def to_markdown(document: Document) -> str:
    lines = [f"# {document.title}", "", f"_{document.subtitle}_", ""]
    for section in document.sections:
        lines += [f"## {section.number} {section.title}".replace("  ", " "), ""]
        for block in section.blocks:
            if isinstance(block, Todo):
                lines += [f"> **{TODO_LABEL}:** {block.hint}", ""]
            elif isinstance(block, Table):
                lines.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
                lines.append("|" + "---|" * len(block.headers))
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
                lines.append("")
            elif isinstance(block, list):
                lines += [f"- {item}" for item in block] + [""]
            else:
                lines += [block, ""]
    return "\n".join(lines).rstrip() + "\n"


STYLE = """
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "Segoe UI", Arial, sans-serif; font-size: 11pt; line-height: 1.5; color: #1a1a1a; max-width: 48rem;
       margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #999; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; break-inside: avoid; }
th, td { border: 1px solid #777; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
.todo { border-left: 0.4rem solid #b35900; background: #fff4e5; padding: 0.5rem 0.8rem; margin: 0.5rem 0 1rem; }
.todo strong { color: #7a3d00; }
"""


def to_html(document: Document) -> str:
    esc = html.escape
    parts = [
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">',
        f"<title>{esc(document.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(document.title)}</h1><p><em>{esc(document.subtitle)}</em></p>",
    ]
    for section in document.sections:
        parts.append(f"<section><h2>{esc(section.number)} {esc(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Todo):
                parts.append(f'<div class="todo"><strong>{TODO_LABEL}:</strong> {esc(block.hint)}</div>')
            elif isinstance(block, Table):
                head = "".join(f'<th scope="col">{esc(h)}</th>' for h in block.headers)
                body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in block.rows)
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif isinstance(block, list):
                parts.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block) + "</ul>")
            else:
                parts.append(f"<p>{esc(block)}</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
