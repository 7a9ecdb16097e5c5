/* The contests, a contest's landing page, and the start confirmation before the clock runs. */
import {
  api, contest, roundInfo, roundFacts, store, h, vi, t, tn, page, link, errorBox, every, fmtDate, fmtDay, fmtSpan,
  fmtDuration, num, shareButton, zaloButton, contestUrl, rememberPrediction, forgetPredictions,
} from './core.js';

export async function home() {
  const list = await api('GET', '/contests');
  if (list.length === 1) { location.replace(`#/c/${list[0].slug}`); return; }
  page(t('home.title'), list.length ? h('ul', { class: 'cards' },
    list.map((c) => h('li', { class: 'card' }, vi('a', { href: `#/c/${c.slug}` }, c.title))))
    : h('p', {}, t('home.none')));
}

// The round's own tie-break order in words (issue 16: the text follows the configuration).
function chainText(chain) {
  const [first, ...rest] = (chain || []).map((c) => t('chain.' + c));
  if (!first) return '';
  const lead = t('chain.lead', { first });
  return (rest.length ? `${lead}; ${t('chain.then', { rest: rest.join(t('chain.and')) })}.` : `${lead}.`)
    + ' ' + t('chain.draw');
}

function roundCard(r, loggedIn) {
  const when = h('p', { class: 'countdown' });
  const tick = () => {
    const now = Date.now();
    if (r.status === 'upcoming') when.textContent = t('round.opens_in', { span: fmtSpan(Date.parse(r.opens_at) - now) });
    else if (r.status === 'open') when.textContent = t('round.closes_in', { span: fmtSpan(Date.parse(r.closes_at) - now) });
    else when.textContent = t('round.closed');
  };
  tick();
  every(30000, tick);
  const practice = r.kind === 'practice';
  const actions = h('div', { class: 'actions' });
  if (r.status === 'open') actions.append(link(`#/r/${r.id}/start`, practice ? t('btn.practice') : t('btn.start'), 'btn primary start'));
  if (!practice) actions.append(link(`#/r/${r.id}/board`, t('btn.board')));
  if (loggedIn) actions.append(link(`#/r/${r.id}/mine`, t('btn.mine')));
  return h('li', { class: 'card round', 'data-round': r.id },
    h('h3', {}, vi('span', {}, r.title), practice ? h('span', { class: 'badge' }, t('round.practice')) : null),
    h('p', { class: 'status s-' + r.status }, t('status.' + r.status)),
    h('p', {}, t('round.window', { from: fmtDate(r.opens_at), to: fmtDate(r.closes_at) })),
    h('p', {}, roundFacts(r).join(' · ')),
    practice ? null : h('p', { class: 'chain' }, chainText(r.tie_breaks)),
    !practice && r.draw_commitment ? h('p', { class: 'commitment' }, t('draw.commitment'), ' ',
      h('code', { class: 'hash' }, r.draw_commitment)) : null,
    r.results_url ? h('p', {}, h('a', { href: r.results_url }, t('draw.results'))) : null,
    r.qualify ? h('p', { class: 'qualify' }, t(r.qualify.ties === 'include' ? 'qualify.rule_ties' : 'qualify.rule', { n: r.qualify.best_per_round })) : null,
    when,
    actions);
}

/** The organiser's notices (issue 16), newest first, as articles with a machine-readable date. */
function newsSection(items) {
  if (!items || !items.length) return null;
  return h('section', { 'aria-labelledby': 'h-news', class: 'news' }, h('h2', { id: 'h-news' }, t('landing.news')),
    h('ul', { class: 'cards' }, items.map((a) => h('li', { class: 'card' },
      h('article', { 'aria-labelledby': `news-${a.id}` },
        vi('h3', { id: `news-${a.id}` }, a.title),
        h('p', { class: 'meta' }, h('time', { datetime: a.published_at }, fmtDay(a.published_at)),
          a.round ? vi('span', {}, ' · ' + t('landing.news_round', { round: a.round.title })) : null),
        vi('div', {}, a.body.split(/\n+/).filter(Boolean).map((p) => h('p', {}, p))))))));
}

/** A final round says whether this person is on its list; off the list, no "Vào thi". */
async function markQualification(list, rounds) {
  for (const r of rounds) {
    if (!r.qualify || r.kind === 'practice') continue;
    let me;
    try { me = await api('GET', `/rounds/${r.id}/me`); } catch { continue; }
    const card = list.querySelector(`[data-round="${r.id}"]`);
    const q = me.qualification;
    if (!card || !q) continue;
    const key = q.qualified ? 'qualify.yes' : q.list_ready ? 'qualify.no' : 'qualify.pending';
    card.querySelector('.qualify').after(h('p', { class: q.qualified ? 'qualify-yes' : 'warn', id: `qualify-${r.id}` }, t(key)));
    const start = card.querySelector('.start');
    if (start && !q.qualified) start.remove();
  }
}

/** A round whose attempts are used up offers its result instead of "Vào thi". */
async function markUsedUp(list, rounds) {
  for (const r of rounds) {
    if (r.status !== 'open' || r.kind === 'practice' || r.max_attempts == null) continue;
    let me;
    try { me = await api('GET', `/rounds/${r.id}/me`); } catch { continue; }
    const card = list.querySelector(`[data-round="${r.id}"]`);
    const start = card && card.querySelector('.start');
    if (!start || me.attempts_left !== 0 || me.attempts.some((a) => a.status === 'running')) continue;
    start.replaceWith(h('p', { class: 'used-up' }, tn('start.used_up', r.max_attempts)),
      link(me.attempt ? `#/a/${me.attempt.attempt_id}/result` : `#/r/${r.id}/mine`, t('btn.see_result'), 'btn primary'));
  }
}

export async function landing(slug) {
  store.set('slug', slug);
  const c = await contest(slug);
  for (const r of c.rounds) store.set('round:' + r.id, { ...r, slug, contest: c.title, zalo: c.zalo_oa_id });
  const who = store.get('who');
  const loggedIn = !!(who && who.slug === slug);
  const account = loggedIn
    ? h('div', { class: 'account' }, h('p', {}, t('account.hello', { name: who.name })),
      h('button', { type: 'button', class: 'btn link', onclick: async () => {
        try { await api('POST', '/logout'); } catch { /* offline: forget locally anyway */ }
        store.del('who'); forgetPredictions(); window.dispatchEvent(new HashChangeEvent('hashchange'));
      } }, t('btn.logout')))
    : h('div', { class: 'actions' }, link(`#/c/${slug}/register`, t('btn.register'), 'btn primary'),
      link(`#/c/${slug}/login`, t('btn.login')));
  const list = c.rounds.length ? h('ul', { class: 'cards' }, c.rounds.map((r) => roundCard(r, loggedIn))) : null;
  page(vi('span', {}, c.title),
    account,
    newsSection(c.announcements),
    h('section', { 'aria-labelledby': 'h-rounds' }, h('h2', { id: 'h-rounds' }, t('landing.rounds')),
      list || h('p', {}, t('landing.no_rounds'))),
    h('section', { 'aria-labelledby': 'h-rules' }, h('h2', { id: 'h-rules' }, t('landing.rules')),
      vi('div', {}, (c.rules || '').split(/\n+/).filter(Boolean).map((p) => h('p', {}, p)))),
    h('section', { 'aria-labelledby': 'h-prizes' }, h('h2', { id: 'h-prizes' }, t('landing.prizes')),
      h('p', {}, t('landing.prizes_text'))),
    h('section', { 'aria-labelledby': 'h-share' }, h('h2', { id: 'h-share' }, t('share.title')),
      shareButton(c.title, t('share.contest_text', { title: c.title }), contestUrl(slug)),
      zaloButton(c.zalo_oa_id, contestUrl(slug)),
      h('p', {}, h('a', { class: 'inline', href: `/api/v1/contests/${slug}/qr.svg` }, t('landing.qr')))));
  if (loggedIn && list) { markUsedUp(list, c.rounds); markQualification(list, c.rounds); }
}

// ---- the start confirmation -------------------------------------------------------------------
const COUNTING = { best: 'start.counting_best', first: 'start.counting_first', last: 'start.counting_last' };

export async function startRound(roundId) {
  const r = await roundInfo(roundId);
  store.set('slug', r.slug);
  const [me, c] = await Promise.all([api('GET', `/rounds/${roundId}/me`), contest(r.slug).catch(() => ({}))]);
  rememberPrediction(roundId, me.prediction);
  const practice = r.kind === 'practice';
  const back = link(`#/c/${r.slug}`, t('nav.back_contest'));
  const title = vi('span', {}, r.title);
  const running = me.attempts.find((a) => a.status === 'running');
  if (running) {
    page(title, h('p', {}, t('start.running', { n: running.number, time: fmtDate(running.deadline) })),
      h('div', { class: 'actions' }, link(`#/a/${running.attempt_id}`, t('btn.continue'), 'btn primary'), back));
    return;
  }
  if (r.status !== 'open') {
    page(title, h('p', { class: 'warn' }, t(r.status === 'upcoming' ? 'start.not_open' : 'start.closed')),
      h('div', { class: 'actions' }, practice ? null : link(`#/r/${roundId}/board`, t('btn.board')), back));
    return;
  }
  if (me.qualification && !me.qualification.qualified) {
    page(title, h('p', { class: 'warn' }, t(me.qualification.list_ready ? 'qualify.no' : 'qualify.pending')),
      h('p', {}, t(r.qualify && r.qualify.ties === 'include' ? 'qualify.rule_ties' : 'qualify.rule', { n: r.qualify ? r.qualify.best_per_round : '' })),
      h('div', { class: 'actions' }, back));
    return;
  }
  if (me.attempts_left === 0) {
    const best = me.attempt;
    page(title, h('p', { class: 'warn' }, tn('start.used_up', r.max_attempts)),
      best ? h('dl', { class: 'stats' },
        h('div', {}, h('dt', {}, t('result.score')), h('dd', { class: 'big' }, `${num(best.score)}/${num(best.max_score)}`)),
        h('div', {}, h('dt', {}, t('result.time')), h('dd', { class: 'big' }, fmtDuration(best.duration_ms))),
        me.rank ? h('div', {}, h('dt', {}, t('result.rank')), h('dd', { class: 'big' }, String(me.rank))) : null) : null,
      h('div', { class: 'actions' },
        best ? link(`#/a/${best.attempt_id}/result`, t('btn.see_result'), 'btn primary') : null,
        link(`#/r/${roundId}/board`, t('btn.board')), back));
    return;
  }
  const facts = [
    t('start.fact_questions', { q: tn('n.questions', r.questions_per_attempt) }),
    t('start.fact_time', { m: tn('n.minutes', Math.round(r.time_limit_s / 60)) }),
    practice ? t('start.fact_practice') : me.attempts_left == null ? t('round.unlimited_long')
      : t('start.fact_left', { left: tn('n.attempts', me.attempts_left), max: r.max_attempts }),
    practice ? null : t(COUNTING[r.counting] || COUNTING.best),
    practice || !r.has_prediction ? null
      : me.prediction != null ? t('start.prediction_locked', { n: num(me.prediction) }) : t('start.prediction_once'),
  ].filter(Boolean);
  const go = h('button', { type: 'button', class: 'btn primary wide', id: 'start-now', onclick: async () => {
    go.disabled = true; go.textContent = t('attempt.starting');
    try {
      const paper = await api('POST', `/rounds/${roundId}/attempts`);
      store.set('paper:' + paper.attempt_id, { at: Date.now(), paper });
      location.replace(`#/a/${paper.attempt_id}`);
    } catch (e) {
      if (e.status === 401) { window.dispatchEvent(new HashChangeEvent('hashchange')); return; }
      go.disabled = false; go.textContent = t('start.go');
      box.replaceChildren(errorBox(e.message));
    }
  } }, t('start.go'));
  const box = h('div');
  page(title,
    h('p', {}, t(practice ? 'start.intro_practice' : 'start.intro')),
    h('ul', { class: 'facts' }, facts.map((f) => h('li', {}, f))),
    c.rules && !practice ? h('details', { class: 'rules' }, h('summary', {}, t('start.read_rules')),
      vi('div', {}, c.rules.split(/\n+/).filter(Boolean).map((p) => h('p', {}, p)))) : null,
    h('p', { class: 'warn' }, t('start.clock_warning', { m: tn('n.minutes', Math.round(r.time_limit_s / 60)) })),
    box, go,
    h('div', { class: 'actions' }, back));
}
