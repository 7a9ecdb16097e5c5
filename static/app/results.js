/* After an attempt: the result (with sharing and the next attempt), the leaderboard (its last
   copy kept for offline), and my attempts in a round. */
import {
  api, roundInfo, store, h, vi, t, tn, say, page, link, every, onCleanup, POLL_MS,
  fmtDate, fmtDuration, fmtTime, num, shareButton, zaloButton, contestUrl,
} from './core.js';

function live(roundId, onChange) {
  // The leaderboard stream when the server has it; polling every 15 s otherwise.
  let es = null; let poll = null;
  const startPolling = () => { if (!poll) poll = every(POLL_MS, onChange); };
  if ('EventSource' in window) {
    es = new EventSource(`/api/v1/rounds/${roundId}/leaderboard/stream`);
    es.addEventListener('leaderboard', (ev) => { try { onChange(JSON.parse(ev.data)); } catch { onChange(); } });
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) { es = null; startPolling(); } };
    onCleanup(() => es && es.close());
    // a server without the stream answers 404: EventSource closes and we poll
  } else startPolling();
}

export async function result(id) {
  const paper = await api('GET', `/attempts/${id}`);
  if (paper.status !== 'submitted') { location.replace(`#/a/${id}`); return; }
  const info = await roundInfo(paper.round_id);
  const practice = info.kind === 'practice';
  const kept = store.get('result:' + id) || {};
  const res = paper.result || kept;
  const rankEl = h('p', { class: 'big', id: 'rank' }, kept.rank ? String(kept.rank) : '—');
  const rankNote = h('p', { class: 'hint' });
  let lastRank = kept.rank || null;
  const nextBox = h('div', { class: 'next' });
  const offerNext = (me) => {
    // "Thi lần tiếp theo" while the round is open and attempts remain
    const running = me.attempts.some((a) => a.status === 'running');
    if (practice || info.status !== 'open' || running || me.attempts_left === 0) { nextBox.replaceChildren(); return; }
    nextBox.replaceChildren(me.attempts_left != null ? h('p', {}, t('result.left', { left: tn('n.attempts', me.attempts_left) })) : null,
      link(`#/r/${paper.round_id}/start`, t('btn.next_attempt'), 'btn primary wide'));
  };
  const refresh = async () => {
    try {
      const me = await api('GET', `/rounds/${paper.round_id}/me`);
      offerNext(me);
      const counted = me.attempt && me.attempt.attempt_id === id;
      rankEl.textContent = me.rank ? String(me.rank) : '—';
      if (res.score_shown_at) return; // scores and ranks appear after the close
      rankNote.textContent = counted ? t('result.counted') : t('result.not_counted');
      if (me.rank && lastRank && me.rank !== lastRank) say(t('result.rank_changed', { rank: me.rank }));
      lastRank = me.rank;
    } catch { /* keep the last known rank on a bad network */ }
  };
  const stats = h('dl', { class: 'stats' },
    h('div', {}, h('dt', {}, t('result.score')), h('dd', { class: 'big', id: 'score' }, `${num(res.score)}/${num(res.max_score)}`)),
    h('div', {}, h('dt', {}, t('result.time')), h('dd', { class: 'big' }, fmtDuration(res.duration_ms))),
    practice ? null : h('div', {}, h('dt', {}, t('result.rank')), h('dd', {}, rankEl, rankNote)));
  const reviewBox = h('div');
  page(t('result.title'), vi('p', {}, info.title),
    res.auto_submitted ? h('p', { class: 'warn' }, t('result.auto')) : null,
    res.score_shown_at ? h('p', { class: 'hint', id: 'score-later' }, t('result.score_later', { when: fmtDate(res.score_shown_at) })) : null,
    stats,
    nextBox,
    h('div', { class: 'actions' },
      practice ? link(`#/r/${paper.round_id}/start`, t('btn.practice_again'), 'btn primary') : link(`#/r/${paper.round_id}/board`, t('btn.board')),
      link(`#/r/${paper.round_id}/mine`, t('btn.mine')),
      link(`#/c/${info.slug}`, t('nav.back_contest'))),
    practice ? null : shareButton(info.contest, t('share.result_text', { score: num(res.score), max: num(res.max_score), title: info.contest }), contestUrl(info.slug)),
    practice ? null : zaloButton(info.zalo, contestUrl(info.slug)),
    reviewBox);
  say(t('result.announce', { score: num(res.score), max: num(res.max_score) }));
  if (practice) {
    try {
      const rv = await api('GET', `/attempts/${id}/review`);
      const texts = Object.fromEntries(paper.questions.map((q, i) => [q.id, { q, i }]));
      reviewBox.replaceChildren(h('h2', {}, t('practice.review')), h('ol', { class: 'review-list' }, rv.questions.map((r) => {
        const { q } = texts[r.question_id];
        const opt = (oid) => (q.options.find((o) => o.id === oid) || {}).text;
        return h('li', { class: 'review ' + (r.is_correct ? 'ok' : 'ko') }, vi('p', {}, q.text),
          h('p', { class: 'verdict' }, r.is_correct ? t('practice.right') : t('practice.wrong')),
          h('p', {}, h('strong', {}, t('practice.answer')), ' ', vi('span', {}, r.correct_option_ids.map(opt).join('; '))),
          r.explanation ? h('p', {}, h('strong', {}, t('practice.explanation')), ' ', vi('span', {}, r.explanation)) : null,
          r.basis ? h('p', {}, h('strong', {}, t('practice.basis')), ' ', vi('span', {}, r.basis)) : null);
      })));
    } catch { /* review is a bonus */ }
  } else {
    await refresh();
    live(paper.round_id, refresh);
  }
}

/* The live board cannot apply the prediction tie-break (its answer, e.g. the number of
   entrants, is only known at the close): say so under the board when it matters. */
export function predictionNote(info) {
  const chain = info.tie_breaks || [];
  const at = chain.indexOf('prediction');
  if (!info.has_prediction || at < 0) return null;
  if (at === 0) return t('board.prediction_first');
  if (at === 1 && chain[0] === 'score') return t('board.prediction_score');
  return t('board.prediction_later', { before: chain.slice(0, at).map((c) => t('chain.' + c)).join(', ') });
}

export async function board(roundId) {
  const info = await roundInfo(roundId);
  const units = await api('GET', `/contests/${encodeURIComponent(info.slug)}/units`).catch(() => []);
  let unit = '';
  const tbody = h('tbody');
  const total = h('p', { 'aria-live': 'polite' });
  const updated = h('p', { class: 'hint' });
  let shown = false;
  const show = (data, keptAt = null) => {
    shown = true;
    total.textContent = tn('board.total', data.total, { n: num(data.total) });
    updated.textContent = keptAt ? t('board.kept', { time: fmtTime(keptAt) }) : t('board.updated', { time: fmtTime(Date.now()) });
    updated.className = keptAt ? 'warn' : 'hint';
    if (!keptAt && !unit) store.set('board:' + roundId, { data, at: Date.now() }); // for offline
    tbody.replaceChildren(...(data.entries.length ? data.entries.map((e) => h('tr', {},
      h('td', { class: 'num' }, String(e.rank)), vi('th', { scope: 'row' }, e.name), vi('td', {}, e.unit || ''),
      h('td', { class: 'num' }, num(e.score)), h('td', { class: 'num' }, fmtDuration(e.duration_ms))))
      : [h('tr', {}, h('td', { colspan: '5' }, t('board.empty')))]));
  };
  const load = async () => {
    try { show(await api('GET', `/rounds/${roundId}/leaderboard?limit=50${unit ? '&unit=' + encodeURIComponent(unit) : ''}`)); } catch {
      // keep the page shown; with nothing shown yet (an offline visit), the phone's last copy
      const kept = store.get('board:' + roundId);
      if (!shown && kept && !unit) show(kept.data, kept.at);
    }
  };
  const filter = h('select', { id: 'board-unit', onchange: (e) => { unit = e.target.value; load(); } },
    h('option', { value: '' }, t('board.all_units')), units.map((u) => vi('option', { value: u.code }, '\u00a0'.repeat(2 * (u.level - 1)) + u.name)));
  page(h('span', {}, t('board.title'), ' ', vi('span', {}, info.title)), vi('p', {}, info.contest),
    h('div', { class: 'field' }, h('label', { for: 'board-unit' }, t('board.unit')), filter),
    total,
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('board.table') },
      h('table', {}, h('caption', { class: 'sr-only' }, t('board.table')),
        h('thead', {}, h('tr', {}, ['rank', 'name', 'unit', 'score', 'time'].map((k) => h('th', { scope: 'col' }, t('board.col_' + k))))),
        tbody)),
    predictionNote(info) ? h('p', { class: 'hint', id: 'board-prediction-note' }, predictionNote(info)) : null,
    updated,
    h('div', { class: 'actions' }, link(`#/c/${info.slug}`, t('nav.back_contest'))));
  await load();
  live(roundId, (data) => (data && data.entries && !unit ? show(data) : load()));
}

export async function mine(roundId) {
  const info = await roundInfo(roundId);
  const me = await api('GET', `/rounds/${roundId}/me`);
  const practice = info.kind === 'practice';
  const counted = me.attempt && me.attempt.attempt_id;
  const items = me.attempts.map((a) => h('li', { class: 'card' + (a.attempt_id === counted ? ' counted' : '') },
    h('h2', { class: 'small' }, t('mine.attempt_n', { n: a.number })),
    h('p', {}, a.status === 'running' ? t('mine.running', { time: fmtDate(a.deadline) })
      : t('mine.submitted', { score: num(a.score), max: num(a.max_score), time: fmtDuration(a.duration_ms) })),
    a.attempt_id === counted && !practice ? h('p', { class: 'badge ok' }, t('mine.counted')) : null,
    a.status === 'running' ? link(`#/a/${a.attempt_id}`, t('btn.continue'), 'btn primary')
      : link(`#/a/${a.attempt_id}/result`, t('btn.see_result'))));
  const running = me.attempts.some((a) => a.status === 'running');
  const canStart = info.status === 'open' && !running && (me.attempts_left == null || me.attempts_left > 0);
  page(t('mine.title'), vi('p', {}, info.title),
    !practice && me.rank ? h('p', { class: 'big' }, t('mine.rank', { rank: me.rank })) : null,
    me.prediction != null ? h('p', {}, t('mine.prediction', { n: num(me.prediction) })) : null,
    me.attempts_left != null ? h('p', {}, t('mine.left', { left: tn('n.attempts', me.attempts_left) })) : null,
    items.length ? h('ul', { class: 'cards' }, items) : h('p', {}, t('mine.none')),
    h('div', { class: 'actions' },
      canStart ? link(`#/r/${roundId}/start`, practice ? t('btn.practice') : me.attempts.length ? t('btn.next_attempt') : t('btn.start'), 'btn primary') : null,
      practice ? null : link(`#/r/${roundId}/board`, t('btn.board')),
      link(`#/c/${info.slug}`, t('nav.back_contest'))));
}
