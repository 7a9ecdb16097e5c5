/* The public results page's "check the draw yourself": re-runs `contest draw verify` in the
   browser with Web Crypto, from the two published files (fetched, or chosen from disk).
   The same steps as contest/services/verify_draw.py: the seed against the commitment, the
   eligible list against its hash, the ranking (tie-break chain, then HMAC-SHA256(seed, entry
   id)) against the list's order, the prize rules against the published winners. */

const CRITERIA = ['score', 'prediction', 'duration', 'submitted'];
const enc = new TextEncoder();

const toHex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

function fromHex(text) {
  const s = String(text || '').trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(s)) throw new Error('seed');
  return new Uint8Array(s.match(/../g).map((p) => parseInt(p, 16)));
}

export async function sha256Hex(bytes) {
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

/** Rows of RFC 4180 CSV text (quotes, doubled quotes, CRLF or LF; a leading BOM ignored). */
export function parseCsv(text) {
  const rows = []; let row = []; let cell = ''; let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function int(cell, line, optional = false) {
  const v = String(cell ?? '').trim();
  if (optional && v === '') return null;
  if (!/^-?\d+$/.test(v)) throw new Error(`csv:${line}`);
  return Number(v);
}

/** The eligible list's entries, in file order; throws Error('csv:LINE') when malformed. */
export function readEligible(text) {
  const [head, ...rows] = parseCsv(text).filter((r) => r.length > 1 || r[0] !== '');
  const col = Object.fromEntries((head || []).map((name, i) => [name.trim(), i]));
  for (const name of ['entry_id', 'split', 'score_milli', 'prediction', 'duration_ms', 'submitted_ms', 'position']) {
    if (!(name in col)) throw new Error('csv:1');
  }
  return rows.map((r, i) => ({
    entry_id: r[col.entry_id], split: r[col.split] ?? '',
    score_milli: int(r[col.score_milli], i + 2), prediction: int(r[col.prediction], i + 2, true),
    duration_ms: int(r[col.duration_ms], i + 2), submitted_ms: int(r[col.submitted_ms], i + 2),
    position: int(r[col.position], i + 2),
  }));
}

function parseChain(raw) {
  if (!raw || !raw.length) return CRITERIA;
  if (raw.some((c) => !CRITERIA.includes(c)) || new Set(raw).size !== raw.length) throw new Error('chain');
  return raw;
}

function chainKey(e, chain, actual) {
  return chain.map((c) => {
    if (c === 'score') return -e.score_milli;
    if (c === 'prediction') return e.prediction === null || actual === null || actual === undefined
      ? Infinity : Math.abs(e.prediction - actual);
    if (c === 'duration') return e.duration_ms;
    return e.submitted_ms;
  });
}

const cmpKeys = (a, b) => { for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1; return 0; };
const cmpText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** The final order (as final_ranking.final_order): the chain, then the draw inside ties. */
export async function finalOrder(entries, chain, actual, seed) {
  const keyed = entries.map((e) => ({ e, k: chainKey(e, chain, actual) }));
  keyed.sort((a, b) => cmpKeys(a.k, b.k));
  const hmac = await crypto.subtle.importKey('raw', seed, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const out = [];
  for (let i = 0; i < keyed.length;) {
    let j = i + 1;
    while (j < keyed.length && cmpKeys(keyed[i].k, keyed[j].k) === 0) j++;
    const group = keyed.slice(i, j).map((x) => ({ e: x.e, draw: '' }));
    if (group.length > 1) {
      for (const g of group) g.draw = toHex(await crypto.subtle.sign('HMAC', hmac, enc.encode(g.e.entry_id)));
      group.sort((a, b) => cmpText(a.draw, b.draw) || cmpText(a.e.entry_id, b.e.entry_id));
    }
    out.push(...group.map((g) => g.e));
    i = j;
  }
  return out;
}

/** Individual prizes down the final order (as prizes.allocate): [entry id, tier code, name]. */
export function allocate(ranked, positions, rules, entrants) {
  const tiers = (rules && rules.tiers) || [];
  for (const t of tiers) if (!t || !t.code || !t.name) throw new Error('prizes');
  const quota = (t, key) => (t.counts && key in t.counts ? t.counts[key] : t.count || 0);
  const split = rules ? rules.split ?? null : null;
  const limit = rules && rules.max_share != null ? Math.floor(rules.max_share * entrants + 1e-9) : null;
  const used = new Map(); const full = new Set(); const awards = [];
  const done = () => !tiers.length || (limit !== null && awards.length >= limit) || (split === null && full.has(''));
  for (const e of ranked) {
    if (done()) break;
    const key = split === null ? '' : e.split;
    if (full.has(key)) continue;
    if (!used.has(key)) used.set(key, tiers.map(() => 0));
    const counts = used.get(key);
    const i = tiers.findIndex((t, n) => counts[n] < quota(t, key));
    if (i >= 0) { counts[i]++; awards.push({ entry_id: e.entry_id, tier_code: tiers[i].code, tier_name: tiers[i].name, position: positions.get(e.entry_id) }); }
    if (tiers.every((t, n) => counts[n] >= quota(t, key))) full.add(key);
  }
  return awards;
}

const pairs = (list) => list.map((w) => `${w.entry_id}\u0000${w.tier_code}`).sort();

/** Every check of `contest draw verify`: {ok, checks: [[name, ok]], winners}. */
export async function verifyDraw(manifest, eligibleText) {
  const checks = []; let seed;
  try { seed = fromHex(manifest.seed); if (seed.length !== 32) throw new Error('seed'); } catch {
    return { ok: false, checks: [['seed', false]], winners: [] };
  }
  checks.push(['commitment', await sha256Hex(seed) === String(manifest.commitment || '').trim().toLowerCase()]);
  let eligible;
  try { eligible = readEligible(eligibleText); } catch (err) {
    checks.push(['list', false, err.message.split(':')[1]]);
    return { ok: false, checks, winners: [] };
  }
  const lines = eligible.map((e) => [e.entry_id, e.split, e.score_milli, e.prediction ?? '', e.duration_ms, e.submitted_ms].join('|') + '\n').join('');
  checks.push(['eligible_hash', await sha256Hex(enc.encode(lines)) === manifest.eligible_hash]);
  let ranked; let awards = [];
  try {
    ranked = await finalOrder(eligible, parseChain(manifest.chain), manifest.actual_figure ?? null, seed);
    const published = [...eligible].sort((a, b) => a.position - b.position).map((e) => e.entry_id);
    checks.push(['order', ranked.map((e) => e.entry_id).join('\n') === published.join('\n')]);
    const positions = new Map(eligible.map((e) => [e.entry_id, e.position]));
    awards = allocate(ranked, positions, manifest.prizes, Number(manifest.entrants || 0));
  } catch {
    checks.push(['rules', false]);
    return { ok: false, checks, winners: [] };
  }
  const theirs = manifest.winners || [];
  checks.push(['winners', pairs(awards).join('\n') === pairs(theirs).join('\n')]);
  return { ok: checks.every(([, ok]) => ok), checks, winners: awards };
}

async function readChosen(input) {
  const files = [...(input.files || [])];
  const json = files.find((f) => /\.json$/i.test(f.name));
  const csv = files.find((f) => /\.csv$/i.test(f.name));
  if (files.length !== 2 || !json || !csv) return null;
  return [JSON.parse(await json.text()), await csv.text()];
}

function mount() {
  const box = document.getElementById('draw-check');
  if (!box) return;
  const text = JSON.parse(document.getElementById('draw-check-text').textContent);
  const out = box.querySelector('[data-out]');
  const el = (tag, props, ...kids) => { const n = Object.assign(document.createElement(tag), props); n.append(...kids); return n; };
  box.querySelector('button').addEventListener('click', async () => {
    out.replaceChildren(el('p', { textContent: text.working }));
    let files;
    try {
      files = await readChosen(box.querySelector('input[type=file]'));
      if (!files) {
        const m = await fetch(box.dataset.manifest).then((r) => r.json());
        files = [m, await fetch(box.dataset.eligible).then((r) => r.text())];
      }
    } catch {
      out.replaceChildren(el('p', { className: 'bad', textContent: text.unreadable })); return;
    }
    const res = await verifyDraw(...files);
    const items = res.checks.map(([name, ok, line]) => el('li', { className: ok ? 'good' : 'bad' },
      `${ok ? '✔' : '✘'} ${text[`check_${name}`]}${line ? ` (${text.line} ${line})` : ''}`));
    const verdict = el('p', { className: res.ok ? 'good' : 'bad', id: 'draw-check-verdict' }, el('strong', { textContent: res.ok ? text.ok : text.failed }));
    const names = new Map((files[0].winners || []).map((w) => [w.entry_id, w.name || '']));
    const rows = res.winners.map((w) => el('tr', {}, el('td', { textContent: w.tier_name }),
      el('td', { textContent: names.get(w.entry_id) || '' }), el('td', {}, el('code', { textContent: w.entry_id }))));
    const table = res.winners.length ? el('div', { className: 'scroll' }, el('table', { id: 'draw-check-winners' },
      el('thead', {}, el('tr', {}, el('th', { textContent: text.tier }), el('th', { textContent: text.name }), el('th', { textContent: text.entry }))),
      el('tbody', {}, ...rows))) : '';
    out.replaceChildren(verdict, el('ul', {}, ...items), res.ok ? el('p', { textContent: text.winners }) : '', res.ok ? table : '');
    verdict.focus?.();
  });
}

if (typeof document !== 'undefined') mount();
