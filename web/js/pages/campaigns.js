// SPDX-License-Identifier: Apache-2.0
import { api } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { canAct } from '../main.js';
import { card, progressBar, badge, empty, applyCampaignEvent } from '../ui.js';

export default {
  title: 'nav.campaigns',
  live: true,
  tick: true,
  load: (route, opts = {}) => api('GET', '/campaigns', undefined, { background: opts.background }),
  // Progress events move the bars in place; anything else reloads the list.
  onEvent(name, data) {
    if (name === 'modems') return false;
    if (name === 'campaign' && applyCampaignEvent(document.getElementById('main'), data)) return false;
    return true;
  },
  render(d) {
    const rows = d.items.map((c) => h('li', { class: 'camp', dataset: { campaign: c.id, status: c.status } }, [
      h('div', { class: 'row' }, [h('a', { href: `#/campaign/${c.id}` }, c.name), badge(`st-${c.status}`, t(`campaign.status.${c.status}`)),
        h('small', { class: 'muted' }, fmtTime(c.created_at))]),
      progressBar(c.progress.percent, `${c.progress.done}/${c.progress.recipients}`),
    ]));
    return h('div', { class: 'page' }, card(t('nav.campaigns'), [
      canAct() ? h('p', null, h('a', { class: 'button primary', href: '#/compose' }, t('nav.compose'))) : null,
      rows.length ? h('ul', { class: 'plain' }, rows) : empty(t('dash.no_campaigns'))]));
  },
};
