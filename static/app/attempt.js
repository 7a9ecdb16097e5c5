/* The attempt: questions, the countdown from the server's deadline, the save queue, submit.
   Every choice is saved at once; when the network fails it waits on the phone (localStorage)
   and is sent, in order, when the network is back. Each answer shows its true state: saving,
   saved, waiting for the network, or refused with the server's message. */
import {
  ApiError, api, roundInfo, store, h, vi, t, tn, say, page, every, onCleanup, renderNet, main,
  fmtClock, fmtSpan, num, formError, sleep, rememberPrediction,
} from './core.js';

const VISIBILITY_MS = 5000;
const BATCH_MAX = 50; // the batch endpoint's limit
let lastHiddenSent = 0; // outside the attempt so re-entering it does not reset the pace
let batchMissing = false; // a server without the batch endpoint: one PUT per answer from then on

export async function attempt(id) {
  const sentAt = Date.now();
  let paper; let fromPhone = false;
  try { paper = await api('GET', `/attempts/${id}`); } catch (e) {
    if (e.status !== 0) throw e;
    const kept = store.get('paper:' + id); // offline reload: the paper kept on the phone
    if (!kept) throw e;
    fromPhone = true;
    paper = { ...kept.paper, server_now: new Date(Date.parse(kept.paper.server_now) + Date.now() - kept.at).toISOString() };
  }
  // The server's clock: the offset is measured at the midpoint of the request.
  const offset = Date.parse(paper.server_now) - (sentAt + Date.now()) / 2;
  const serverNow = () => Date.now() + offset;
  if (paper.status === 'submitted') { location.replace(`#/a/${id}/result`); return; }
  store.set('paper:' + id, { at: Date.now(), paper: { ...paper, answers: undefined } });
  const info = await roundInfo(paper.round_id).catch(() => ({ title: '', kind: 'ranked' }));
  const practice = info.kind === 'practice';
  const local = store.get('att:' + id, {});
  // what the server acknowledged: from the server when it answered, else the phone's copy of it
  const saved = fromPhone ? { ...(local.saved || {}) } : { ...(paper.answers || {}) };
  // queued answers in the order they were given (an array: object keys that look like numbers
  // would not keep their order); an older page version kept an object
  const pending = Array.isArray(local.pending) ? local.pending : Object.entries(local.pending || {});
  const A = {
    answers: { ...saved },
    saved,
    pending,
    state: {},
    errors: {},
    reviews: {},
    idx: Math.min(local.idx || 0, paper.questions.length - 1),
    prediction: local.prediction ?? '',
    locked: store.get('pred:' + paper.round_id), // the round's locked prediction, when known
    mode: store.get('mode', 'single'),
    screen: 'questions',
    over: false,
  };
  for (const q of Object.keys(saved)) A.state[q] = 'saved';
  for (const [q, opts] of pending) { A.answers[q] = opts; A.state[q] = 'queued'; }
  const persist = () => store.set('att:' + id, { pending: A.pending, saved: A.saved, idx: A.idx, prediction: A.prediction });
  persist();

  // -- the save queue: in order, one request at a time, retried with backoff while the network fails
  let busy = false; let retryTimer = null; let failures = 0; let warned = false;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const queuedOpts = (qid) => { const e = A.pending.find(([q]) => q === qid); return e ? e[1] : undefined; };

  function acknowledged(qid, opts) {
    A.saved[qid] = opts;
    if (same(queuedOpts(qid), opts)) { A.pending = A.pending.filter(([q]) => q !== qid); A.state[qid] = 'saved'; }
  }
  function refused(qid, e) {
    A.pending = A.pending.filter(([q]) => q !== qid);
    A.state[qid] = 'error'; A.errors[qid] = e.message;
    say(t('qstate.error_said', { msg: e.message }), true);
  }
  function waitForNetwork() {
    for (const [q] of A.pending) A.state[q] = 'queued';
    failures += 1;
    if (!warned) { warned = true; say(t('save.failed_queued'), true); }
    const delay = Math.min(30000, 1000 * 2 ** Math.min(failures - 1, 5)) * (0.75 + Math.random() / 2);
    retryTimer = setTimeout(flush, delay);
  }

  /** Send the queue. Several answers go in one batch request; one answer, or a server without
      the batch endpoint, uses the per-question PUT. */
  async function flush() {
    if (busy) return;
    busy = true;
    clearTimeout(retryTimer);
    let single = batchMissing;
    try {
      while (A.pending.length) {
        const group = single || A.pending.length === 1 ? A.pending.slice(0, 1) : A.pending.slice(0, BATCH_MAX);
        for (const [q] of group) A.state[q] = 'saving';
        paint();
        try {
          if (group.length === 1) {
            const [qid, opts] = group[0];
            await api('PUT', `/attempts/${id}/answers/${qid}`, { option_ids: opts }, 15000);
            acknowledged(qid, opts);
          } else {
            const res = await api('PUT', `/attempts/${id}/answers`,
              { answers: group.map(([q, o]) => ({ question_id: q, option_ids: o })) }, 20000);
            for (const a of res.answers) acknowledged(a.question_id, a.option_ids);
          }
          persist();
          failures = 0;
          if (warned) { warned = false; say(t('save.recovered')); }
          if (practice) reveal();
        } catch (e) {
          if (e.transient) { waitForNetwork(); return; }
          if (e.code === 'deadline_passed' || e.code === 'attempt_submitted') { A.pending = []; persist(); finished(e.message); return; }
          if (group.length > 1) {
            // no batch endpoint here (404/405), or one answer in the batch was refused: one by
            // one, so each answer gets its own true state
            if (e.status === 404 || e.status === 405) batchMissing = true;
            single = true;
            continue;
          }
          refused(group[0][0], e); persist();
        }
      }
    } finally { busy = false; paint(); }
  }

  // a weak integrity signal: the page went to the background (another app, another tab).
  // Fire-and-forget, at most one report per VISIBILITY_MS; answering never waits for it.
  const hidden = () => {
    if (document.visibilityState !== 'hidden' || A.over || Date.now() - lastHiddenSent < VISIBILITY_MS) return;
    lastHiddenSent = Date.now();
    fetch(`/api/v1/attempts/${encodeURIComponent(id)}/visibility`, { method: 'POST', credentials: 'same-origin', keepalive: true,
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'hidden' }) }).catch(() => {});
  };
  document.addEventListener('visibilitychange', hidden);
  const online = () => { failures = 0; renderNet(); flush(); };
  const offline = () => { renderNet(); paint(); };
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  onCleanup(() => {
    document.removeEventListener('visibilitychange', hidden);
    window.removeEventListener('online', online); window.removeEventListener('offline', offline); clearTimeout(retryTimer);
  });

  function choose(qid, opts) {
    if (A.over) return;
    A.answers[qid] = opts;
    const at = A.pending.findIndex(([q]) => q === qid);
    if (at >= 0) A.pending[at] = [qid, opts]; else A.pending.push([qid, opts]);
    delete A.errors[qid];
    // without a network (or while it keeps failing) the answer waits; it is not "saving"
    A.state[qid] = navigator.onLine && !failures ? 'saving' : 'queued';
    persist(); paint(); flush();
  }

  async function reveal() {
    try {
      const before = Object.keys(A.reviews).length;
      const rv = await api('GET', `/attempts/${id}/review`);
      for (const q of rv.questions) A.reviews[q.question_id] = q;
      const cur = paper.questions[A.idx];
      if (cur && A.reviews[cur.id] && Object.keys(A.reviews).length > before) say(A.reviews[cur.id].is_correct ? t('practice.right') : t('practice.wrong'));
      render();
    } catch { /* the key can wait for the next save */ }
  }

  // the locked prediction of the round: asked once per round, shown afterwards
  if (paper.prediction && !practice) {
    api('GET', `/rounds/${paper.round_id}/me`).then((me) => {
      rememberPrediction(paper.round_id, me.prediction);
      if ((A.locked ?? null) === (me.prediction ?? null)) return;
      A.locked = me.prediction ?? null;
      if (A.screen === 'submit') render();
    }).catch(() => { /* offline: what the phone knew */ });
  }

  // -- the countdown from the server's deadline
  const deadline = Date.parse(paper.deadline);
  const clockTime = h('span', { class: 'clock-time' });
  const clock = h('p', { class: 'clock', role: 'timer', 'aria-live': 'off', 'aria-label': t('attempt.timer_label') },
    h('span', { class: 'clock-label' }, t('attempt.time_left_label'), ' '), clockTime);
  const saveLine = h('p', { class: 'saveline' });
  const progress = h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(paper.questions.length), 'aria-label': t('attempt.progress_label') }, h('span'));
  const progressLong = h('span', { class: 'pt-long' });
  const progressShort = h('span', { class: 'pt-short' });
  const progressText = h('p', { class: 'progress-text' }, progressLong, progressShort);
  const head = h('div', { class: 'attempt-head' }, clock, progressText, progress);
  const marks = [600, 300, 60, 30];
  let lastLeft = Infinity;
  function tick() {
    const left = deadline - serverNow();
    clockTime.textContent = fmtClock(left);
    clock.classList.toggle('low', left < 60000);
    for (const m of marks) if (lastLeft > m * 1000 && left <= m * 1000 && left > 0) say(t('attempt.announce_left', { span: fmtSpan(left) }), m <= 60);
    lastLeft = left;
    if (left <= 0 && !A.over) timeUp();
  }
  every(1000, tick);
  // the sticky bar must never cover the questions: past a fifth of the screen it stops sticking
  const fit = () => head.classList.toggle('unstick', head.offsetHeight > window.innerHeight * 0.2);
  if ('ResizeObserver' in window) { const ro = new ResizeObserver(fit); ro.observe(head); onCleanup(() => ro.disconnect()); }
  window.addEventListener('resize', fit);
  onCleanup(() => window.removeEventListener('resize', fit));

  const answered = () => paper.questions.filter((q) => (A.answers[q.id] || []).length).length;
  function paint() {
    const n = answered(); const total = paper.questions.length;
    progress.setAttribute('aria-valuenow', String(n));
    progress.setAttribute('aria-valuetext', t('attempt.answered', { n, total }));
    progress.firstChild.style.width = `${(100 * n) / total}%`;
    progressLong.textContent = t('attempt.answered', { n, total });
    progressShort.textContent = t('attempt.answered_short', { n, total });
    const waiting = A.pending.filter(([q]) => A.state[q] === 'queued').length;
    const sending = A.pending.length - waiting;
    const failed = paper.questions.filter((q) => A.state[q.id] === 'error').length;
    saveLine.className = 'saveline ' + (waiting ? 'queued' : sending ? 'saving' : failed ? 'failed' : 'saved');
    saveLine.textContent = waiting ? tn('save.queued', waiting) : sending ? t('save.saving')
      : failed ? tn('save.failed', failed) : (n ? t('save.all_saved') : '');
    main.querySelectorAll('[data-qstate]').forEach((el) => {
      const q = el.dataset.qstate; const st = A.state[q];
      el.textContent = st === 'error' ? t('qstate.error', { msg: A.errors[q] || '' }) : st ? t('qstate.' + st) : '';
      el.className = 'qstate ' + (st || '');
    });
    main.querySelectorAll('[data-map]').forEach((b) => {
      const q = b.dataset.map; const done = (A.answers[q] || []).length > 0;
      b.classList.toggle('done', done);
      b.classList.toggle('waiting', A.state[q] === 'queued');
      b.setAttribute('aria-label', t(done ? (A.state[q] === 'queued' ? 'map.waiting' : 'map.answered') : 'map.unanswered', { n: Number(b.textContent) }));
    });
  }

  function questionBlock(q, i) {
    const chosen = new Set(A.answers[q.id] || []);
    const multi = q.kind === 'multiple';
    const rv = A.reviews[q.id];
    const locked = A.over || (practice && !!rv);
    const heading = h('h2', { class: 'qhead', id: `qh-${i}`, tabindex: '-1' }, t('attempt.question_n', { n: i + 1, total: paper.questions.length }));
    const opts = q.options.map((o, j) => {
      const good = rv && rv.correct_option_ids.includes(o.id);
      return h('label', { class: 'opt' + (chosen.has(o.id) ? ' chosen' : '') + (rv ? (good ? ' right' : chosen.has(o.id) ? ' wrong' : '') : '') },
        h('input', { type: multi ? 'checkbox' : 'radio', name: 'q-' + q.id, value: o.id, id: `o-${q.id}-${j}`, checked: chosen.has(o.id), disabled: locked,
          onchange: (e) => {
            const box = e.target.closest('fieldset');
            const picked = [...box.querySelectorAll('input:checked')].map((x) => x.value);
            box.querySelectorAll('.opt').forEach((l) => l.classList.toggle('chosen', l.querySelector('input').checked));
            choose(q.id, picked);
          } }),
        h('span', { class: 'letter', 'aria-hidden': 'true' }, String.fromCharCode(65 + j)),
        vi('span', { class: 'otext' }, o.text),
        rv && good ? h('span', { class: 'sr-only' }, ' ' + t('practice.correct_option')) : null);
    });
    return h('section', { class: 'question', 'aria-labelledby': `qh-${i}` }, heading,
      h('fieldset', {},
        vi('legend', {}, q.text),
        h('p', { class: 'hint' }, multi ? t('attempt.hint_multiple') : t('attempt.hint_single')),
        h('div', { class: 'opts' }, opts)),
      h('p', { 'data-qstate': q.id, class: 'qstate', 'aria-hidden': 'true' }),
      rv ? h('div', { class: 'review ' + (rv.is_correct ? 'ok' : 'ko') },
        h('p', { class: 'verdict' }, rv.is_correct ? t('practice.right') : t('practice.wrong')),
        rv.explanation ? h('p', {}, h('strong', {}, t('practice.explanation')), ' ', vi('span', {}, rv.explanation)) : null,
        rv.basis ? h('p', {}, h('strong', {}, t('practice.basis')), ' ', vi('span', {}, rv.basis)) : null) : null);
  }

  function goTo(i, focus = true) {
    A.idx = i; persist(); A.screen = 'questions'; render();
    if (focus) { const el = document.getElementById(`qh-${i}`); if (el) { el.focus(); el.scrollIntoView({ block: 'start' }); } }
  }

  function qmap() {
    return h('nav', { class: 'qmap', 'aria-label': t('map.label') },
      h('h2', { class: 'small' }, t('map.label')),
      h('ul', {}, paper.questions.map((q, i) => h('li', {}, h('button', { type: 'button', 'data-map': q.id,
        'aria-current': A.mode === 'single' && i === A.idx ? 'step' : null,
        onclick: () => goTo(i) }, String(i + 1))))));
  }

  const toolbar = () => h('div', { class: 'toolbar' },
    h('button', { type: 'button', class: 'btn small toggle', 'aria-pressed': String(A.mode === 'list'), onclick: () => {
      A.mode = A.mode === 'list' ? 'single' : 'list'; store.set('mode', A.mode); render();
      say(A.mode === 'list' ? t('attempt.mode_list_on') : t('attempt.mode_single_on'));
    } }, t('attempt.mode_list')));

  function render() {
    const focused = document.activeElement && document.activeElement.id;
    let body;
    if (A.screen === 'submit') body = submitScreen();
    else if (A.mode === 'list') {
      body = [paper.questions.map(questionBlock), qmap(),
        h('button', { type: 'button', class: 'btn primary wide', onclick: openSubmit }, t('attempt.to_submit'))];
    } else {
      const i = A.idx; const last = i === paper.questions.length - 1;
      body = [questionBlock(paper.questions[i], i),
        h('div', { class: 'nav2' },
          h('button', { type: 'button', class: 'btn', disabled: i === 0, onclick: () => goTo(i - 1) }, t('attempt.prev')),
          last ? h('button', { type: 'button', class: 'btn primary', onclick: openSubmit }, t('attempt.to_submit'))
            : h('button', { type: 'button', class: 'btn primary', onclick: () => goTo(i + 1) }, t('attempt.next'))),
        qmap(),
        last ? null : h('button', { type: 'button', class: 'btn wide', onclick: openSubmit }, t('attempt.to_submit'))];
    }
    page(h('span', {}, t(practice ? 'attempt.title_practice' : 'attempt.title'), ' ', vi('span', {}, info.title)),
      head, saveLine, A.screen === 'questions' ? toolbar() : null, body);
    paint(); tick(); fit();
    if (focused) { const el = document.getElementById(focused); if (el && el !== document.body) el.focus({ preventScroll: true }); }
  }

  function openSubmit() { A.screen = 'submit'; render(); const el = document.getElementById('sub-h'); if (el) el.focus(); }

  function predictionBox() {
    if (!paper.prediction) return null;
    if (A.locked != null) {
      return h('div', { class: 'field locked' }, h('p', {}, vi('strong', {}, paper.prediction.prompt)),
        h('p', { id: 'locked-prediction' }, t('submit.prediction_locked', { n: num(A.locked) })));
    }
    return h('div', { class: 'field', 'data-field': 'prediction' },
      vi('label', { for: 'f-prediction' }, paper.prediction.prompt, h('span', { class: 'req' }, ' *')),
      h('p', { class: 'hint', id: 'h-prediction' }, t('submit.prediction_hint')),
      h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', id: 'f-prediction', name: 'prediction', value: A.prediction,
        autocomplete: 'off', 'aria-describedby': 'h-prediction e-prediction',
        oninput: (e) => { A.prediction = e.target.value.trim(); persist(); } }),
      h('p', { class: 'field-error', id: 'e-prediction', hidden: true }));
  }

  function submitScreen() {
    const missing = paper.questions.map((q, i) => ({ q, i })).filter(({ q }) => !(A.answers[q.id] || []).length);
    const waiting = A.pending.length;
    return h('section', { class: 'submit', 'aria-labelledby': 'sub-h' },
      h('h2', { id: 'sub-h', tabindex: '-1' }, t('submit.title')),
      h('p', {}, t('attempt.answered', { n: answered(), total: paper.questions.length })),
      missing.length ? [h('p', {}, tn('submit.unanswered', missing.length)),
        h('ul', { class: 'missing' }, missing.map(({ i }) => h('li', {},
          h('button', { type: 'button', class: 'btn small', onclick: () => goTo(i) }, t('submit.go_question', { n: i + 1 })))))]
        : h('p', {}, t('submit.all_answered')),
      waiting ? h('p', { class: 'warn' }, tn('save.queued', waiting)) : null,
      h('form', { class: 'form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); doSubmit(); } },
        h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
        predictionBox(),
        h('button', { type: 'submit', class: 'btn primary wide', id: 'do-submit' }, t('submit.confirm'))),
      h('button', { type: 'button', class: 'btn wide', onclick: () => goTo(A.idx) }, t('submit.back')));
  }

  async function flushed(limitMs) {
    const until = Date.now() + limitMs;
    while (A.pending.length && Date.now() < until) {
      failures = 0; await flush();
      if (A.pending.length) await sleep(1500);
    }
    return !A.pending.length;
  }

  /** The prediction to send: the round's locked one, else what the person typed (or null). */
  const predictionToSend = () => (!paper.prediction ? null : A.locked != null ? A.locked
    : /^\d{1,9}$/.test(A.prediction || '') ? Number(A.prediction) : null);

  let submitting = false;
  async function doSubmit() {
    if (submitting) return;
    const form = main.querySelector('.submit form');
    if (paper.prediction && predictionToSend() == null) {
      formError(form, { message: t('submit.fix'), fields: { prediction: t('submit.prediction_invalid') } });
      return;
    }
    submitting = true;
    const btn = document.getElementById('do-submit');
    btn.disabled = true; btn.textContent = t('submit.sending');
    try {
      if (!(await flushed(20000))) throw new ApiError(0, { error: 'network', detail: t('submit.not_flushed') });
      const res = await api('POST', `/attempts/${id}/submit`, { prediction: predictionToSend() });
      done(res);
    } catch (e) {
      submitting = false;
      btn.disabled = false; btn.textContent = t('submit.confirm');
      formError(form, e);
    }
  }

  function done(res) {
    A.over = true;
    // the first prediction sent in a round is the one kept for it
    if (paper.prediction && !res.auto_submitted && A.locked == null && predictionToSend() != null) rememberPrediction(paper.round_id, predictionToSend());
    store.set('result:' + id, res);
    store.del('att:' + id); store.del('paper:' + id);
    location.replace(`#/a/${id}/result`);
  }

  async function finished(message) {
    A.over = true;
    say(message, true);
    try { done(await api('POST', `/attempts/${id}/submit`, { prediction: predictionToSend() })); } catch { location.replace(`#/a/${id}/result`); }
  }

  async function timeUp() {
    A.over = true;
    say(t('attempt.time_up'), true);
    main.querySelectorAll('.question input').forEach((x) => { x.disabled = true; });
    clockTime.textContent = t('attempt.time_up');
    await flushed(4000); // the server still accepts answers within its short grace
    for (let i = 0; i < 8; i++) {
      try { done(await api('POST', `/attempts/${id}/submit`, { prediction: predictionToSend() })); return; } catch (e) {
        // without a prediction the server ends the attempt itself once the grace is over
        await sleep(3000);
      }
    }
    location.replace(`#/a/${id}/result`);
  }

  render();
  if (A.pending.length) flush();
  if (practice) reveal();
}
