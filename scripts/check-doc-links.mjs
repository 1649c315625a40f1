#!/usr/bin/env node
// Checks the relative links of the project's markdown (the guides under packages/streams/docs/, the READMEs and
// ARCHITECTURE.md): every linked file or folder must exist, and a `#fragment` into a markdown file must name one of
// its headings (GitHub's slugs). External links (http:, mailto:) are not fetched. Exits 1 listing the broken ones.
//
//   node scripts/check-doc-links.mjs [file.md ...]   default: the files below
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

function defaultFiles() {
  const docs = join(root, 'packages/streams/docs');
  const guides = readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => join(docs, f));
  const others = ['README.md', 'packages/streams/README.md', 'packages/streams/ARCHITECTURE.md', 'apps/shop/README.md', 'bench/README.md'];
  return [...guides, ...others.map((f) => join(root, f)).filter((f) => existsSync(f))];
}

/** Markdown without fenced code blocks and inline code, where link syntax is only text. */
function prose(text) {
  return text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes; repeats get -1, -2, ... */
function anchors(file) {
  const seen = new Map();
  const result = new Set();
  for (const [, heading] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : defaultFiles();
const broken = [];
let checked = 0;
for (const file of files) {
  const text = prose(readFileSync(file, 'utf8'));
  for (const [, target] of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    checked += 1;
    const [pathPart, fragment] = target.split('#', 2);
    const resolved = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    const where = `${relative(root, file)}: ${target}`;
    if (!existsSync(resolved)) {
      broken.push(`${where} (no such file)`);
    } else if (fragment && statSync(resolved).isFile() && resolved.endsWith('.md') && !anchors(resolved).has(fragment)) {
      broken.push(`${where} (no heading #${fragment})`);
    }
  }
}
if (broken.length > 0) {
  console.error(`check-doc-links: ${broken.length} broken link(s):\n  ${broken.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-doc-links: ${checked} relative links in ${files.length} files resolve`);
