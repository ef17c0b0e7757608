// Read a Mermaid flowchart on stdin with Mermaid's own parser and print, as JSON, the text of
// every node and edge label as a reader sees it: Mermaid's entity codes (#quot;, #35;) and
// HTML entities decoded, after Mermaid's sanitizer. A parse error prints {"error": ...}.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

// Mermaid's decodeEntities (src/mermaidAPI.ts), which it applies to the SVG it renders.
const decodeEntities = (text) =>
  text.replace(/ﬂ°°/g, "&#").replace(/ﬂ°/g, "&").replace(/¶ß/g, ";");
const seen = (text) => {
  const box = dom.window.document.createElement("div");
  box.innerHTML = decodeEntities(text);
  return box.textContent;
};

const source = readFileSync(0, "utf8");
try {
  await mermaid.parse(source);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
  const vertices = Object.fromEntries(
    [...diagram.db.getVertices().values()].map((v) => [v.id, seen(v.text)]),
  );
  const edges = diagram.db.getEdges().map((e) => [e.start, e.end, seen(e.text)]);
  console.log(JSON.stringify({ vertices, edges }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error.message || error) }));
}
