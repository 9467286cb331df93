#!/usr/bin/env node
// Browser checks for a built picket site.
//
//   node tests/browser/check-site.mjs SITE_DIR [--base-path /prefix]
//
// Serves SITE_DIR on 127.0.0.1 (ephemeral port), opens every .html file in Debian's
// chromium via playwright-core and checks, per page:
//   axe        axe-core, WCAG 2.0/2.1/2.2 A+AA tags: zero violations
//   skip-link  first Tab focuses a visible skip link to #main-content (target exists)
//   no-js      with JavaScript off, the same h1-h3 texts, table captions and link hrefs
//   reflow-320 at 320x640 the page does not scroll sideways
//   reflow-1280 at 1280x800 the page does not scroll sideways
//   boxes-320  at 320x640 every table, week grid and chart is wholly visible inside its box:
//              its box (the nearest ancestor that clips or scrolls, else its parent) does not
//              scroll, and no cell, caption, row or chart label sticks out of it
//   boxes-1280 the same at 1280x800
//   print      under print media, PRINT_HIDDEN_SELECTORS are display:none (or absent)
//   print-split Chromium prints the page to an A4 PDF (page.pdf); invisible marker text put at
//              the start and end of every table, week grid, quote, care card, advice box and alert is
//              found in the PDF's text per page (pdfjs-dist): both ends must be on one page,
//              unless the element is taller than a page (then a table's header must repeat)
//   network    no request leaves the test server's origin (all others are aborted by
//              page.route), no font files requested, no <link rel=preconnect|preload|...>
//              to another origin
// Defence in depth: chromium also gets a proxy pointing at a local dead-end "sink" server
// and a host-resolver rule with no DNS, so nothing page.route cannot see (browser-internal
// update checks, websockets, preconnects) can leave the machine either.
// Prints one PASS/FAIL line per page and check, then "N passed, M failed".
// Exit 1 if anything failed (or the run could not start), 0 otherwise.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// ---- configuration -------------------------------------------------------------
const PRINT_HIDDEN_SELECTORS = ['header nav', '.skip-link', 'nav.toc'];
const SKIP_LINK_HREF = '#main-content';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 320, height: 640 };
const NAV_TIMEOUT_MS = 30_000;
const FONT_RE = /\.(woff2?|ttf|otf|eot)(?:[?#]|$)/i;
const CHECKS = ['axe', 'skip-link', 'no-js', 'reflow-320', 'reflow-1280', 'boxes-320', 'boxes-1280', 'print', 'print-split', 'network'];
// What must not be split across printed pages, and what must stay inside its box on screen.
const UNSPLIT_SELECTORS = 'table, .week, blockquote, .care-card, .general-advice, .alert';
const BOXED_SELECTORS = 'table, .week, figure.chart svg';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

// ---- arguments -----------------------------------------------------------------
function usage(msg) {
  if (msg) console.error(`check-site: ${msg}`);
  console.error('usage: node tests/browser/check-site.mjs SITE_DIR [--base-path /prefix]');
  process.exit(2);
}

let siteArg = null;
let basePath = '/';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--base-path') {
    if (i + 1 >= argv.length) usage('--base-path needs a value');
    basePath = argv[++i];
  } else if (a.startsWith('--base-path=')) {
    basePath = a.slice('--base-path='.length);
  } else if (a === '-h' || a === '--help') {
    usage();
  } else if (a.startsWith('--')) {
    usage(`unknown option ${a}`);
  } else if (siteArg === null) {
    siteArg = a;
  } else {
    usage(`unexpected argument ${a}`);
  }
}
if (!siteArg) usage('SITE_DIR is required');
// Under `npm run validate|check -- DIR` npm changes into tests/browser; resolve DIR where npm was called.
const callerDir = ['validate', 'check'].includes(process.env.npm_lifecycle_event) && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
const SITE = path.resolve(callerDir, siteArg);
if (!fs.existsSync(SITE) || !fs.statSync(SITE).isDirectory()) usage(`not a directory: ${SITE}`);
basePath = '/' + basePath.replace(/^\/+|\/+$/g, '');
if (basePath !== '/') basePath += '/';

// ---- static server -------------------------------------------------------------
function resolveRequest(urlPath) {
  // Returns {file} for a servable file, {redirect} for a directory without a slash, or null.
  let p;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!p.startsWith(basePath)) {
    if (p + '/' === basePath) return { redirect: basePath };
    return null;
  }
  const rel = p.slice(basePath.length);
  if (rel.includes('\0')) return null;
  const file = path.resolve(SITE, '.' + path.posix.sep + rel);
  if (file !== SITE && !file.startsWith(SITE + path.sep)) return null;
  let st;
  try {
    st = fs.statSync(file);
  } catch {
    return null;
  }
  if (st.isDirectory()) {
    if (!p.endsWith('/')) return { redirect: p + '/' };
    const idx = path.join(file, 'index.html');
    return fs.existsSync(idx) ? { file: idx } : null;
  }
  return st.isFile() ? { file } : null;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const r = resolveRequest(url.pathname);
  if (r && r.redirect) {
    res.writeHead(301, { Location: r.redirect + url.search }).end();
    return;
  }
  let status = 200;
  let file = r && r.file;
  if (!file) {
    status = 404;
    file = path.join(SITE, '404.html');
    if (!fs.existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 Not Found\n');
      return;
    }
  }
  const body = fs.readFileSync(file);
  res.writeHead(status, {
    'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
});

// Anything chromium tries to send off-machine despite page.route (browser-internal
// traffic, websockets, preconnects) goes to this local dead-end proxy instead.
const leaks = [];
const sink = http.createServer((req, res) => {
  leaks.push(`${req.method} ${req.url}`);
  res.writeHead(502, { 'Content-Type': 'text/plain' }).end('blocked by check-site\n');
});
sink.on('connect', (req, socket) => {
  leaks.push(`CONNECT ${req.url}`);
  socket.destroy();
});

function listen(srv) {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv.address().port));
  });
}

// ---- page discovery ------------------------------------------------------------
function findHtml(dir) {
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (ent.name === 'node_modules' || ent.name.startsWith('.')) continue;
    const full = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...findHtml(full));
    else if (ent.isFile() && /\.html?$/i.test(ent.name)) out.push(full);
  }
  return out;
}

function pagePath(file) {
  // URL path for a file: dir/index.html -> /base/dir/ (as it is served when deployed)
  let rel = path.relative(SITE, file).split(path.sep).join('/');
  if (rel === 'index.html') rel = '';
  else if (rel.endsWith('/index.html')) rel = rel.slice(0, -'index.html'.length);
  return basePath + rel.split('/').map(encodeURIComponent).join('/');
}

// ---- in-page helpers (run inside the browser) ----------------------------------
function collectContent() {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  return {
    headings: [...document.querySelectorAll('h1, h2, h3')].map((e) => `${e.tagName.toLowerCase()}: ${norm(e.textContent)}`),
    captions: [...document.querySelectorAll('table caption')].map((e) => `caption: ${norm(e.textContent)}`),
    links: [...document.querySelectorAll('a[href]')].map((e) => `href: ${e.getAttribute('href')}`),
  };
}

function offsiteHints() {
  // <link rel=preconnect|dns-prefetch|preload|...> to another origin (not visible to page.route)
  const out = [];
  for (const l of document.querySelectorAll('link[rel][href]')) {
    const rel = l.rel.toLowerCase();
    if (!/\b(preconnect|dns-prefetch|prefetch|preload|modulepreload|prerender)\b/.test(rel)) continue;
    let u;
    try {
      u = new URL(l.getAttribute('href'), document.baseURI);
    } catch {
      continue;
    }
    if (u.origin !== location.origin) out.push(`<link rel="${rel}" href="${l.getAttribute('href')}">`);
  }
  return out;
}

function inspectFocus(expectedHref) {
  const el = document.activeElement;
  const describe = (e) => {
    if (!e || e === document.body) return 'body (nothing focused)';
    let s = e.tagName.toLowerCase();
    if (e.id) s += `#${e.id}`;
    if (e.classList && e.classList.length) s += '.' + [...e.classList].join('.');
    const href = e.getAttribute && e.getAttribute('href');
    if (href !== null && href !== undefined) s += `[href="${href}"]`;
    return s;
  };
  const problems = [];
  if (!el || el === document.body || el.tagName !== 'A') {
    problems.push(`first Tab focused ${describe(el)}, not a skip link`);
    return problems;
  }
  const href = el.getAttribute('href');
  if (href !== expectedHref) problems.push(`first Tab focused ${describe(el)}, expected href="${expectedHref}"`);
  if (!document.getElementById(expectedHref.slice(1))) problems.push(`target ${expectedHref} does not exist`);
  const r = el.getBoundingClientRect();
  const cs = getComputedStyle(el);
  if (r.width < 1 || r.height < 1) problems.push(`skip link has an empty box (${r.width}x${r.height})`);
  const vw = document.documentElement.clientWidth || innerWidth;
  const vh = document.documentElement.clientHeight || innerHeight;
  if (r.left < 0 || r.top < 0 || r.right > vw + 0.5 || r.bottom > vh + 0.5) {
    problems.push(`skip link is outside the viewport (box ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}, viewport ${vw}x${vh})`);
  }
  if (cs.visibility !== 'visible' || Number(cs.opacity) === 0) problems.push(`skip link is not visible (visibility ${cs.visibility}, opacity ${cs.opacity})`);
  if (!problems.length) {
    // Hit test at the centre: catches clip/clip-path "visually hidden" styles and overlap.
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || (hit !== el && !el.contains(hit))) {
      problems.push(`skip link is clipped or covered when focused (element at its centre: ${describe(hit)}; width ${r.width}, height ${r.height}, clip ${cs.clip}, clip-path ${cs.clipPath})`);
    }
  }
  return problems;
}

function inspectOverflow() {
  const de = document.documentElement;
  const res = { scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, culprits: [] };
  if (res.scrollWidth <= res.clientWidth) return res;
  // Is e clipped by a scroll/clip container? Only ancestors on its containing-block chain
  // clip it: position:absolute escapes non-positioned scrollers (a common cause of page
  // overflow from visually-hidden text inside a scrolling table), position:fixed escapes all.
  const clipped = (e) => {
    let need = getComputedStyle(e).position;
    for (let a = e.parentElement; a && a !== document.body && a !== de; a = a.parentElement) {
      const cs = getComputedStyle(a);
      const transformed = cs.transform !== 'none' || cs.filter !== 'none' || cs.perspective !== 'none' || /paint|layout|strict|content/.test(cs.contain);
      const isBlock = need === 'absolute' ? cs.position !== 'static' || transformed : need === 'fixed' ? transformed : true;
      if (!isBlock) continue;
      if (cs.overflowX !== 'visible') return true;
      need = cs.position;
    }
    return false;
  };
  const describe = (e) => {
    let s = e.tagName.toLowerCase();
    if (e.id) s += `#${e.id}`;
    if (e.classList.length) s += '.' + [...e.classList].join('.');
    const pos = getComputedStyle(e).position;
    if (pos === 'absolute' || pos === 'fixed') s += ` [position:${pos}]`;
    return s;
  };
  const offenders = new Set();
  for (const e of document.body.querySelectorAll('*')) {
    if (e.getBoundingClientRect().right > res.clientWidth + 0.5 && !clipped(e)) offenders.add(e);
  }
  const outermost = [...offenders].filter((e) => {
    for (let a = e.parentElement; a; a = a.parentElement) if (offenders.has(a)) return false;
    return true;
  });
  outermost.sort((x, y) => y.getBoundingClientRect().right - x.getBoundingClientRect().right);
  for (const e of outermost.slice(0, 5)) res.culprits.push(`${describe(e)} (right edge ${Math.round(e.getBoundingClientRect().right)}px)`);
  if (outermost.length > 5) res.culprits.push(`... and ${outermost.length - 5} more`);
  if (outermost.some((e) => getComputedStyle(e).position === 'absolute')) {
    res.culprits.push('hint: a position:absolute element escapes a scroll container that is not positioned; give the container position: relative');
  }
  return res;
}

function inspectPrint(selectors) {
  const shown = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      let hidden = false;
      for (let e = el; e; e = e.parentElement) {
        if (getComputedStyle(e).display === 'none') { hidden = true; break; }
      }
      if (!hidden) {
        let d = el.tagName.toLowerCase();
        if (el.id) d += `#${el.id}`;
        if (el.classList.length) d += '.' + [...el.classList].join('.');
        shown.push(`${sel} -> ${d} (display: ${getComputedStyle(el).display})`);
      }
    }
  }
  return shown;
}

function inspectBoxes(selectors) {
  // Every table, week grid and chart must be wholly visible inside its box: the nearest
  // ancestor that clips or scrolls (else its parent) must not scroll, and no part may stick out.
  const problems = [];
  const describe = (e) => {
    let s = e.tagName.toLowerCase();
    if (e.id) s += `#${e.id}`;
    if (e.classList && e.classList.length) s += '.' + [...e.classList].join('.');
    return s;
  };
  const hiddenWithin = (e, top) => {
    for (let a = e; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === 'none' || cs.visibility === 'hidden' || (cs.clipPath !== 'none' && cs.position === 'absolute')) return true;
      if (a === top) break;
    }
    return false;
  };
  for (const item of document.querySelectorAll(selectors)) {
    if (hiddenWithin(item, null)) continue;
    let box = item.parentElement;
    for (let a = item.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') { box = a; break; }
    }
    const name = `${describe(item)} in ${describe(box)}`;
    const clipsOrScrolls = getComputedStyle(box).overflowX !== 'visible';
    if (clipsOrScrolls && box.scrollWidth > box.clientWidth + 1) {
      problems.push(`${name} is cut off: its box scrolls sideways by ${box.scrollWidth - box.clientWidth}px`);
      continue;
    }
    const b = box.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const left = Math.max(b.left, 0) - 1;
    const right = Math.min(clipsOrScrolls ? b.left + box.clientWidth : b.right, vw) + 1;
    const parts = item.tagName.toLowerCase() === 'svg' ? [item, ...item.querySelectorAll('text')] : [item, ...item.querySelectorAll('caption, th, td, li, .week-row > *, figcaption, p')];
    const out = [];
    for (const part of parts) {
      if (part !== item && hiddenWithin(part, item)) continue;
      const r = part.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < left || r.right > right) out.push(`${describe(part)} (${Math.round(r.left)} to ${Math.round(r.right)}px)`);
    }
    if (item.tagName.toLowerCase() === 'svg' && item.viewBox && item.viewBox.baseVal && item.viewBox.baseVal.width) {
      const vb = item.viewBox.baseVal;
      for (const t of item.querySelectorAll('text')) {
        const bb = t.getBBox();
        if (bb.x < vb.x - 0.5 || bb.x + bb.width > vb.x + vb.width + 0.5) out.push(`svg text "${t.textContent.slice(0, 40)}" is clipped by the viewBox`);
      }
    }
    if (out.length) problems.push(`${name} (box ${Math.round(left + 1)} to ${Math.round(right - 1)}px): ${out.length} part(s) outside it: ${out.slice(0, 4).join(', ')}${out.length > 4 ? ', ...' : ''}`);
  }
  return problems;
}

function markUnsplit(selectors) {
  // Puts invisible marker text before the first and the last visible text of each element
  // (and in a table's first header cell), for the print-split check to find in the PDF.
  const visibleText = (node) => {
    if (!node.textContent.trim()) return false;
    for (let a = node.parentElement; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.clipPath !== 'none' || a.getAttribute('aria-hidden') === 'true') return false;
    }
    return true;
  };
  const mark = (text) => {
    const span = document.createElement('span');
    span.className = 'picket-print-mark';
    span.textContent = text;
    span.style.cssText = 'font-size:1px;line-height:0;color:#fff;white-space:nowrap';
    return span;
  };
  const out = [];
  [...document.querySelectorAll(selectors)].forEach((el, i) => {
    if (el.closest('.picket-print-mark') || (el.parentElement && el.parentElement.closest(selectors))) return;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, { acceptNode: (n) => (visibleText(n) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP) });
    const first = walker.nextNode();
    if (!first) return;
    let last = first;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) last = n;
    const id = `PKM${i}X`;
    first.parentNode.insertBefore(mark(`${id}S`), first);
    // Before the last text, on its line: a marker after it can fall outside the cell's clip.
    last.parentNode.insertBefore(mark(`${id}E`), last);
    const head = el.tagName === 'TABLE' ? el.querySelector('thead th') : null;
    if (head) head.appendChild(mark(`${id}H`));
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    else if (el.classList.length) s += '.' + [...el.classList].join('.');
    out.push({ id, name: s, head: !!head });
  });
  return out;
}

async function printSplits(page, pdfjs) {
  // Prints the page to an A4 PDF and finds each marked element's start and end on its pages.
  const marked = await page.evaluate(markUnsplit, UNSPLIT_SELECTORS);
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  await page.evaluate(() => document.querySelectorAll('.picket-print-mark').forEach((m) => m.remove()));
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages = []; // per page: {text, height, ys: Map(marker -> y)}
  for (let n = 1; n <= doc.numPages; n++) {
    const p = await doc.getPage(n);
    const content = await p.getTextContent();
    let text = '';
    const ys = new Map();
    for (const item of content.items) {
      const before = text.length;
      text += item.str;
      const found = item.str.match(/PKM\d+X[SEH]/g);
      if (found) for (const f of found) ys.set(f, item.transform[5]);
      if (!found && /PKM/.test(text.slice(Math.max(0, before - 8)))) {
        for (const f of text.slice(Math.max(0, before - 8)).match(/PKM\d+X[SEH]/g) || []) if (!ys.has(f)) ys.set(f, item.transform[5]);
      }
    }
    pages.push({ text, height: p.view[3] - p.view[1] });
    p.cleanup();
  }
  await doc.destroy();
  const pageOf = (m) => pages.findIndex((p) => p.text.includes(m));
  const problems = [];
  for (const { id, name, head } of marked) {
    const start = pageOf(`${id}S`);
    const end = pageOf(`${id}E`);
    if (start < 0 || end < 0) {
      problems.push(`${name}: its ${start < 0 ? "start" : "end"} is not in the printed PDF`);
      if (process.env.PICKET_DEBUG_PDF) console.error(pages.map((p) => p.text).join("\n=====\n"));
      continue;
    }
    if (start === end) continue;
    // Taller than a page: a split cannot be avoided, but a table must repeat its header.
    const spanned = pages.slice(start, end + 1);
    const tall = end - start > 1;
    if (tall && head && spanned.every((p) => p.text.includes(`${id}H`))) continue;
    if (tall && !head) continue;
    problems.push(`${name} is split across printed pages ${start + 1} and ${end + 1}`);
  }
  return { problems, pages: pages.length, checked: marked.length };
}

// ---- main ------------------------------------------------------------------------
const results = []; // {page, check, ok, details[]}
function report(page, check, ok, details = []) {
  results.push({ page, check, ok });
  const notes = details.filter((d) => d.startsWith('note:'));
  const problems = details.filter((d) => !d.startsWith('note:'));
  console.log(`${ok ? 'PASS' : 'FAIL'} ${check} ${page}${ok || !problems.length ? '' : ': ' + problems[0]}`);
  if (!ok) for (const d of problems.slice(1)) console.log(`     ${d}`);
  for (const d of notes) console.log(`     ${d}`);
}

function missingFrom(withJs, noJs) {
  const have = new Map();
  for (const x of noJs) have.set(x, (have.get(x) || 0) + 1);
  const missing = [];
  for (const x of withJs) {
    const n = have.get(x) || 0;
    if (n > 0) have.set(x, n - 1);
    else missing.push(x);
  }
  return missing;
}

async function main() {
  const files = findHtml(SITE).sort();
  if (!files.length) {
    console.error(`check-site: no .html files under ${SITE}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`check-site: ${CHROMIUM} not found; run .ci/install-deps.sh`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const require = createRequire(import.meta.url);
  const { chromium } = require('playwright-core');
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');

  const port = await listen(server);
  const sinkPort = await listen(sink);
  const origin = `http://127.0.0.1:${port}`;
  console.log(`check-site: ${files.length} page(s) from ${SITE} at ${origin}${basePath}`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      // second line of defence behind page.route: no DNS, off-machine traffic to a local sink
      `--proxy-server=http://127.0.0.1:${sinkPort}`,
      '--proxy-bypass-list=127.0.0.1',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });

  // Per-context network guard: every request is recorded against the page that made it;
  // anything not for our origin is aborted before it is sent.
  const netLog = new Map(); // page -> {offsite:Set, fonts:Set}
  const logFor = (page) => {
    let l = netLog.get(page);
    if (!l) netLog.set(page, (l = { offsite: new Set(), fonts: new Set() }));
    return l;
  };
  // Redirect pages (picket's aliases) refresh at once to their target: the page being checked
  // is the one that was opened, so any later navigation of its tab is stopped there.
  const expectedNav = new Map(); // page -> the URL it was opened at
  async function guardedContext(opts) {
    const ctx = await browser.newContext({ serviceWorkers: 'block', ...opts });
    await ctx.route('**/*', (route) => {
      const req = route.request();
      let u;
      try {
        u = new URL(req.url());
      } catch {
        return route.abort('blockedbyclient');
      }
      const page = req.frame() ? req.frame().page() : null;
      if (page && req.isNavigationRequest() && req.frame() === page.mainFrame()) {
        const want = expectedNav.get(page);
        if (want && u.href !== want) return route.abort('aborted');
      }
      if (u.origin !== origin) {
        if (page) logFor(page).offsite.add(req.url());
        else leaks.push(`(no page) ${req.url()}`);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
    ctx.on('request', (req) => {
      const page = req.frame() ? req.frame().page() : null;
      if (!page) return;
      const url = req.url();
      let pathname = '';
      try {
        pathname = new URL(url).pathname;
      } catch {}
      if (req.resourceType() === 'font' || FONT_RE.test(pathname)) logFor(page).fonts.add(url);
      if (/^(https?|wss?|ftp):/i.test(url) && !url.startsWith(origin + '/')) logFor(page).offsite.add(url);
    });
    // WebSockets bypass page.route; any to another host goes to the sink proxy and fails.
    ctx.on('page', (page) => page.on('websocket', (ws) => logFor(page).offsite.add(ws.url())));
    return ctx;
  }

  const ctxJs = await guardedContext({ viewport: DESKTOP, javaScriptEnabled: true });
  const ctxNoJs = await guardedContext({ viewport: DESKTOP, javaScriptEnabled: false });
  const ctxNarrow = await guardedContext({ viewport: NARROW, javaScriptEnabled: true });

  const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const t0 = Date.now();

  const errText = (err) => `page could not be checked: ${String((err && err.message) || err).split('\n')[0]}`;
  // One tab per context, reused from page to page (a new tab costs more than a navigation).
  const tabs = new Map(); // context -> page
  const open = async (ctx, url, pages, js = true) => {
    let page = tabs.get(ctx);
    if (!page || page.isClosed()) tabs.set(ctx, (page = await ctx.newPage()));
    pages.push(page);
    netLog.delete(page);
    expectedNav.set(page, new URL(url).href);
    const resp = await page.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
    if (!resp) throw new Error('no response');
    if (js) await settle(page);
    return page;
  };

  for (const file of files) {
    const p = pagePath(file);
    const url = origin + p;
    const pages = [];
    const out = {}; // check -> [ok, details]
    let hints = [];
    try {
      // The three loads of a page run concurrently; results are printed in a fixed order.
      const desktop = (async () => {
        // desktop, JS on: skip link, axe, content, print
        const page = await open(ctxJs, url, pages);
        await page.keyboard.press('Tab');
        const focusProblems = await page.evaluate(inspectFocus, SKIP_LINK_HREF);
        out['skip-link'] = [focusProblems.length === 0, focusProblems];
        await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());

        await page.addScriptTag({ content: axeSource });
        const axe = await page.evaluate(
          (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
          AXE_TAGS,
        );
        const axeDetails = [];
        for (const v of axe.violations) {
          const targets = v.nodes.slice(0, 8).map((n) => n.target.join(' ')).join(' | ');
          const more = v.nodes.length > 8 ? ` (+${v.nodes.length - 8} more)` : '';
          axeDetails.push(`${v.id} (${v.impact}) ${v.help}: ${targets}${more}`);
        }
        if (axeDetails.length) axeDetails.unshift(`${axe.violations.length} axe violation(s)`);
        if (axe.incomplete && axe.incomplete.length) {
          axeDetails.push(`note: axe needs review: ${axe.incomplete.map((v) => `${v.id}(${v.nodes.length})`).join(', ')}`);
        }
        out.axe = [axe.violations.length === 0, axeDetails];

        const content = await page.evaluate(collectContent);
        hints = await page.evaluate(offsiteHints);

        const ov = await page.evaluate(inspectOverflow);
        const fits = ov.scrollWidth <= ov.clientWidth;
        out['reflow-1280'] = [fits, fits ? [] : [`page scrolls sideways at 1280px: scrollWidth ${ov.scrollWidth} > clientWidth ${ov.clientWidth}`, ...ov.culprits.map((c) => (c.startsWith('hint:') ? c : `wide: ${c}`))]];
        const boxes = await page.evaluate(inspectBoxes, BOXED_SELECTORS);
        out['boxes-1280'] = [boxes.length === 0, boxes];

        await page.emulateMedia({ media: 'print' });
        const shown = await page.evaluate(inspectPrint, PRINT_HIDDEN_SELECTORS);
        out.print = [shown.length === 0, shown.length ? [`visible in print: ${shown.join('; ')}`] : []];
        const split = await printSplits(page, pdfjs);
        out['print-split'] = [split.problems.length === 0, [...split.problems, `note: ${split.checked} element(s) checked on ${split.pages} A4 page(s)`]];
        return content;
      })();
      const noJsLoad = (async () => {
        const page = await open(ctxNoJs, url, pages, false);
        return page.evaluate(collectContent);
      })();
      const narrow = (async () => {
        const page = await open(ctxNarrow, url, pages);
        const ov = await page.evaluate(inspectOverflow);
        const ok = ov.scrollWidth <= ov.clientWidth;
        out['reflow-320'] = [ok, ok ? [] : [`page scrolls sideways at 320px: scrollWidth ${ov.scrollWidth} > clientWidth ${ov.clientWidth}`, ...ov.culprits.map((c) => (c.startsWith('hint:') ? c : `wide: ${c}`))]];
        const boxes = await page.evaluate(inspectBoxes, BOXED_SELECTORS);
        out['boxes-320'] = [boxes.length === 0, boxes];
      })();
      const [dRes, nRes, wRes] = await Promise.allSettled([desktop, noJsLoad, narrow]);

      if (dRes.status === 'rejected') {
        for (const c of ['skip-link', 'axe', 'reflow-1280', 'boxes-1280', 'print', 'print-split']) if (!out[c]) out[c] = [false, [errText(dRes.reason)]];
      }
      if (wRes.status === 'rejected') for (const c of ['reflow-320', 'boxes-320']) if (!out[c]) out[c] = [false, [errText(wRes.reason)]];
      if (dRes.status === 'rejected' || nRes.status === 'rejected') {
        out['no-js'] = [false, [errText(dRes.status === 'rejected' ? dRes.reason : nRes.reason)]];
      } else {
        const withJs = dRes.value;
        const noJs = nRes.value;
        const missing = [
          ...missingFrom(withJs.headings, noJs.headings),
          ...missingFrom(withJs.captions, noJs.captions),
          ...missingFrom(withJs.links, noJs.links),
        ];
        out['no-js'] = [missing.length === 0, missing.length ? [`${missing.length} item(s) only present with JavaScript`, ...missing.slice(0, 10)] : []];
      }

      // network: all three loads of this page
      const offsite = new Set();
      const fonts = new Set();
      for (const pg of pages) {
        const l = netLog.get(pg);
        if (!l) continue;
        l.offsite.forEach((u) => offsite.add(u));
        l.fonts.forEach((u) => fonts.add(u));
      }
      const netDetails = [
        ...[...offsite].map((u) => `off-site request (blocked): ${u}`),
        ...[...fonts].map((u) => `font requested: ${u}`),
        ...hints.map((h) => `off-site resource hint: ${h}`),
      ];
      out.network = [netDetails.length === 0, netDetails];
    } catch (err) {
      for (const c of CHECKS) if (!out[c]) out[c] = [false, [errText(err)]];
    }
    const broken = CHECKS.some((c) => out[c] && !out[c][0] && String(out[c][1][0]).startsWith('page could not be checked'));
    for (const pg of pages) {
      netLog.delete(pg);
      if (broken) await pg.close().catch(() => {}); // start the next page with fresh tabs
      else await pg.emulateMedia({ media: null }).catch(() => {});
    }
    for (const c of CHECKS) {
      const [ok, details] = out[c] || [false, ['check did not run']];
      report(p, c, ok, details);
    }
  }

  const elapsed = (Date.now() - t0) / 1000;
  await browser.close();
  server.close();
  sink.close();

  if (leaks.length) {
    // Browser-level traffic that page.route could not see; it reached only the local sink.
    console.log(`note: ${leaks.length} browser request(s) sent to the local sink proxy (never left the machine): ${[...new Set(leaks)].slice(0, 5).join(', ')}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  const passed = results.length - failed;
  console.log(`check-site: ${files.length} page(s) in ${elapsed.toFixed(1)} s (${(elapsed / files.length).toFixed(2)} s/page)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(`check-site: ${err && err.stack ? err.stack : err}`);
  console.log(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
  process.exit(1);
});
