import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Something found on one line of a Markdown file (1-based line). */
export interface Located {
  readonly line: number;
  readonly text: string;
}

/** A fenced code block: its info string's language and its text. */
export interface CodeBlock {
  /** Line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly text: string;
}

/** A `[text](target)` link outside code. */
export interface Link {
  readonly line: number;
  readonly target: string;
}

/** What the docs test reads from one Markdown file. */
export interface MarkdownDocument {
  /** Path relative to the repository root, with forward slashes. */
  readonly file: string;
  readonly lines: readonly string[];
  /** Anchors of the headings, as GitHub derives them (duplicates get -1, -2 …). */
  readonly anchors: ReadonlySet<string>;
  readonly headings: readonly Located[];
  readonly links: readonly Link[];
  /** Inline code spans outside code blocks. */
  readonly codeSpans: readonly Located[];
  readonly codeBlocks: readonly CodeBlock[];
  /** Line of a code fence that is never closed (the rest of the file would render as code). */
  readonly unclosedFenceLine?: number;
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w-]*)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const CODE_SPAN = /(`+)(.+?)\1(?!`)/g;
const LINK = /\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g;

/**
 * GitHub's heading anchor: the heading's text (code spans and links reduced to
 * their text) in lower case, without punctuation but `-` and `_`, each space a
 * hyphen.
 */
function headingAnchor(heading: string): string {
  const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Reads one Markdown file of the repository at `root`. */
export function readMarkdown(root: string, file: string): MarkdownDocument {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const anchors = new Set<string>();
  const headings: Located[] = [];
  const links: Link[] = [];
  const codeSpans: Located[] = [];
  const codeBlocks: CodeBlock[] = [];
  let open: { fence: string; line: number; language: string; body: string[] } | undefined;
  lines.forEach((text, index) => {
    const line = index + 1;
    const fence = FENCE.exec(text);
    if (open) {
      if (fence && fence[1]!.startsWith(open.fence) && text.trim() === fence[1]) {
        codeBlocks.push({ line: open.line, language: open.language, text: open.body.join('\n') });
        open = undefined;
      } else {
        open.body.push(text);
      }
      return;
    }
    if (fence) {
      open = { fence: fence[1]!, line, language: fence[2]!.toLowerCase(), body: [] };
      return;
    }
    const heading = HEADING.exec(text);
    if (heading) {
      const base = headingAnchor(heading[2]!);
      let anchor = base;
      for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
      anchors.add(anchor);
      headings.push({ line, text: heading[2]! });
    }
    for (const span of text.matchAll(CODE_SPAN)) codeSpans.push({ line, text: span[2]!.trim() });
    for (const link of text.replace(CODE_SPAN, '').matchAll(LINK)) links.push({ line, target: link[2]! });
  });
  return { file, lines, anchors, headings, links, codeSpans, codeBlocks, ...(open ? { unclosedFenceLine: open.line } : {}) };
}
