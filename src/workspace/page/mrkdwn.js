// Slack mrkdwn and plain_text to HTML, as the Slack client shows them: *bold*, _italic_, ~strike~, `code`,
// ```pre```, > quotes, <url|text> links, <@U…> mentions, <#C…|name> channels, <!here>, and :emoji: shortcodes.

const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  no_entry: '⛔',
  warning: '⚠️',
  information_source: 'ℹ️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  gear: '⚙️',
  robot_face: '🤖',
  octagonal_sign: '🛑',
  checkered_flag: '🏁',
  alarm_clock: '⏰',
  lock: '🔒',
  unlock: '🔓',
  shield: '🛡️',
  bell: '🔔',
  mag: '🔍',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_blue_circle: '🔵',
  white_circle: '⚪',
  large_green_circle: '🟢',
  chart_with_upwards_trend: '📈',
  bar_chart: '📊',
  calendar: '📅',
  memo: '📝',
  link: '🔗',
  rotating_light: '🚨',
  fire: '🔥',
  eyes: '👀',
  tada: '🎉',
  clipboard: '📋',
  busts_in_silhouette: '👥',
  bust_in_silhouette: '👤',
  zzz: '💤',
  arrows_counterclockwise: '🔄',
  aws: '☁️',
};

/** Full HTML escape, for plain_text (Slack shows it literally). */
export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** mrkdwn arrives with Slack's own escapes (&amp; &lt; &gt;): keep those, escape the rest. */
function escapeMrkdwn(text) {
  return String(text)
    .replace(/&(?!(amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

export function plainTextHtml(text) {
  return emojify(escapeHtml(text ?? ''));
}

function nameOf(users, id) {
  return users.find((user) => user.id === id)?.displayName ?? id;
}

const pad = (number) => String(number).padStart(2, '0');

/** `<!date^SECONDS^{date_short_pretty} {time}|fallback>`: the reader's local time, as Slack shows it. */
function dateToken(target, fallback) {
  const [, seconds, format = ''] = target.split('^');
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return escapeHtml(fallback ?? '');
  const today = new Date();
  const sameDay = (other) => other.toDateString() === date.toDateString();
  const yesterday = new Date(today.getTime() - 86_400_000);
  const shortDate = date.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    year: date.getFullYear() === today.getFullYear() ? undefined : 'numeric',
  });
  const pretty = (text) => (sameDay(today) ? 'Today' : sameDay(yesterday) ? 'Yesterday' : text);
  const longDate = date.toLocaleDateString('en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: 'numeric',
  });
  const tokens = {
    date_num: `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`,
    date: date.toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric' }),
    date_short: shortDate,
    date_long: longDate,
    date_pretty: pretty(date.toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric' })),
    date_short_pretty: pretty(shortDate),
    date_long_pretty: pretty(longDate),
    time: `${pad(date.getHours())}:${pad(date.getMinutes())}`,
    time_secs: `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`,
  };
  const text = format.replace(/\{(\w+)\}/g, (whole, name) => tokens[name] ?? whole);
  return `<time class="date" datetime="${escapeHtml(date.toISOString())}" title="${escapeHtml(fallback ?? date.toISOString())}">${escapeHtml(text)}</time>`;
}

/** `<…>` in mrkdwn: a link, a mention, a channel or a special mention. */
function special(inner, users) {
  const [target, label] = inner.split('|', 2);
  if (target.startsWith('@'))
    return `<span class="mention">@${escapeHtml(label ?? nameOf(users, target.slice(1)))}</span>`;
  if (target.startsWith('#')) return `<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`;
  if (target.startsWith('!date^')) return dateToken(target, label);
  if (target.startsWith('!'))
    return `<span class="mention">@${escapeHtml(label ?? target.slice(1).split('^')[0])}</span>`;
  if (/^(https?:|mailto:)/.test(target)) {
    return `<a href="${escapeHtml(target)}" target="_blank" rel="noopener noreferrer">${label === undefined ? escapeHtml(target) : escapeMrkdwn(label)}</a>`;
  }
  return escapeMrkdwn(`<${inner}>`);
}

function styled(html) {
  return html
    .replace(/(^|[\s(>])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s).,;:!?<])/gm, '$1<b>$2</b>')
    .replace(/(^|[\s(>])_(?=\S)([^_\n]*?\S)_(?=$|[\s).,;:!?<])/gm, '$1<i>$2</i>')
    .replace(/(^|[\s(>])~(?=\S)([^~\n]*?\S)~(?=$|[\s).,;:!?<])/gm, '$1<s>$2</s>');
}

function quoted(html) {
  return html
    .replace(/(^|\n)&gt; ?([^\n]*)/g, '$1<blockquote>$2</blockquote>')
    .replace(/<\/blockquote>\n<blockquote>/g, '<br>');
}

/** Inline text: links and code kept aside as placeholders while emphasis is applied around them. */
function inline(text, users) {
  const kept = [];
  const keep = (html) => `\uE000${kept.push(html) - 1}\uE000`;
  let work = text.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${escapeMrkdwn(code)}</code>`));
  work = work.replace(/<([^<>\n]+)>/g, (_, inner) => keep(special(inner, users)));
  let html = quoted(emojify(styled(escapeMrkdwn(work))));
  html = html.replace(/\n/g, '<br>');
  return html.replace(/\uE000(\d+)\uE000/g, (_, index) => kept[Number(index)]);
}

export function mrkdwnHtml(text, users = []) {
  return String(text ?? '')
    .split(/(```[\s\S]*?```)/)
    .map((part) =>
      part.length >= 6 && part.startsWith('```') && part.endsWith('```')
        ? `<pre>${escapeMrkdwn(part.slice(3, -3).replace(/^\n/, ''))}</pre>`
        : inline(part, users),
    )
    .join('');
}

/** A text object (plain_text or mrkdwn) as HTML. */
export function textHtml(object, users = []) {
  if (!object) return '';
  return object.type === 'mrkdwn' ? mrkdwnHtml(object.text, users) : plainTextHtml(object.text);
}
