/* global document, window */
// Block Kit to DOM, the way the Slack client draws it. Interactive elements call `context.onAction(action)` with
// the action as Slack reports it in a block_actions payload; inputs are read back with `collectValues`.
import { escapeHtml, plainTextHtml, textHtml } from './mrkdwn.js';

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false || value === null) continue;
    if (name === 'html') node.innerHTML = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

const optionFor = (options, value) => options.find((option) => option.value === value);
const allOptions = (element) =>
  element.options ?? (element.option_groups ?? []).flatMap((group) => group.options);

/** Slack's confirm dialog on a button: resolves true on Confirm, false on Cancel. */
export function confirmDialog(confirm, users) {
  return new Promise((resolve) => {
    const close = (answer) => {
      backdrop.remove();
      resolve(answer);
    };
    const backdrop = el(
      'div',
      {
        class: 'confirm-backdrop',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-label': confirm.title?.text ?? 'Are you sure?',
      },
      el(
        'div',
        { class: 'confirm' },
        el('h3', { html: plainTextHtml(confirm.title?.text ?? 'Are you sure?') }),
        el('div', { class: 'confirm-text', html: textHtml(confirm.text, users) }),
        el(
          'div',
          { class: 'confirm-buttons' },
          el(
            'button',
            { type: 'button', class: 'btn', onclick: () => close(false) },
            confirm.deny?.text ?? 'Cancel',
          ),
          el(
            'button',
            {
              type: 'button',
              class: `btn ${confirm.style === 'danger' ? 'btn-danger' : 'btn-primary'}`,
              onclick: () => close(true),
            },
            confirm.confirm?.text ?? 'Confirm',
          ),
        ),
      ),
    );
    document.body.append(backdrop);
  });
}

function button(element, blockId, context) {
  const classes = [
    'btn',
    element.style === 'primary' && 'btn-primary',
    element.style === 'danger' && 'btn-danger',
  ]
    .filter(Boolean)
    .join(' ');
  return el('button', {
    type: 'button',
    class: classes,
    'data-action-id': element.action_id,
    onclick: async () => {
      if (element.confirm && !(await confirmDialog(element.confirm, context.users))) return;
      if (element.url) window.open(element.url, '_blank', 'noopener');
      context.onAction({
        type: 'button',
        action_id: element.action_id,
        block_id: blockId,
        text: element.text,
        ...(element.value !== undefined && { value: element.value }),
        ...(element.style && { style: element.style }),
      });
    },
    html: plainTextHtml(element.text?.text),
  });
}

function overflow(element, blockId, context) {
  const menu = el('div', { class: 'overflow-menu', hidden: true });
  for (const option of element.options) {
    menu.append(
      el('button', {
        type: 'button',
        html: plainTextHtml(option.text.text),
        onclick: () => {
          menu.hidden = true;
          context.onAction({
            type: 'overflow',
            action_id: element.action_id,
            block_id: blockId,
            selected_option: option,
          });
        },
      }),
    );
  }
  return el(
    'span',
    { class: 'overflow' },
    el(
      'button',
      {
        type: 'button',
        class: 'btn btn-overflow',
        'aria-label': 'More actions',
        onclick: () => (menu.hidden = !menu.hidden),
      },
      '⋯',
    ),
    menu,
  );
}

/** An input-like element; in an actions block or as an accessory a change is reported at once, as Slack does. */
function field(element, blockId, context, reportsChange) {
  const base = { 'data-block-id': blockId, 'data-action-id': element.action_id, 'data-type': element.type };
  const changed = (selected) =>
    reportsChange &&
    context.onAction({ type: element.type, action_id: element.action_id, block_id: blockId, ...selected });
  switch (element.type) {
    case 'plain_text_input':
    case 'url_text_input':
    case 'email_text_input':
    case 'number_input': {
      const attributes = {
        ...base,
        'data-input': true,
        class: 'text-input',
        placeholder: element.placeholder?.text,
        minlength: element.min_length,
        maxlength: element.max_length,
        value: element.initial_value,
        'aria-label': element.action_id,
      };
      if (element.multiline) {
        const area = el('textarea', { ...attributes, value: undefined, rows: 4 });
        area.value = element.initial_value ?? '';
        return area;
      }
      return el('input', {
        ...attributes,
        type:
          element.type === 'url_text_input' ? 'url' : element.type === 'email_text_input' ? 'email' : 'text',
      });
    }
    case 'datepicker':
      return el('input', {
        ...base,
        'data-input': true,
        class: 'text-input date-input',
        type: 'date',
        value: element.initial_date,
        onchange: (event) => changed({ selected_date: event.target.value || null }),
      });
    case 'static_select': {
      const select = el('select', {
        ...base,
        'data-input': true,
        class: 'select',
        onchange: (event) =>
          changed({ selected_option: optionFor(allOptions(element), event.target.value) ?? null }),
      });
      select.append(el('option', { value: '' }, element.placeholder?.text ?? 'Select an item'));
      for (const option of allOptions(element))
        select.append(
          el(
            'option',
            { value: option.value, selected: element.initial_option?.value === option.value },
            option.text.text,
          ),
        );
      return select;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const group = el('div', {
        ...base,
        'data-input': true,
        class: 'choices',
        role: element.type === 'radio_buttons' ? 'radiogroup' : 'group',
      });
      const name = `${blockId}/${element.action_id}`;
      const initial =
        element.type === 'radio_buttons'
          ? [element.initial_option].filter(Boolean)
          : (element.initial_options ?? []);
      for (const option of element.options) {
        const input = el('input', {
          type: element.type === 'radio_buttons' ? 'radio' : 'checkbox',
          name,
          value: option.value,
          checked: initial.some((chosen) => chosen.value === option.value),
          onchange: () =>
            changed(
              element.type === 'radio_buttons'
                ? { selected_option: option }
                : { selected_options: readField(group).selected_options },
            ),
        });
        group.append(
          el(
            'label',
            { class: 'choice' },
            input,
            el(
              'span',
              {},
              el('span', { html: textHtml(option.text, context.users) }),
              option.description
                ? el('small', { html: textHtml(option.description, context.users) })
                : undefined,
            ),
          ),
        );
      }
      group.options = element.options;
      return group;
    }
    default:
      return el('span', { class: 'unsupported' }, `[${element.type}]`);
  }
}

function elementNode(element, blockId, context, inActions) {
  switch (element.type) {
    case 'button':
      return button(element, blockId, context);
    case 'overflow':
      return overflow(element, blockId, context);
    case 'image':
      return el('img', { class: 'accessory-image', src: element.image_url, alt: element.alt_text ?? '' });
    default:
      return field(element, blockId, context, inActions);
  }
}

/** The state Slack reports for one input element. */
function readField(node) {
  const type = node.dataset.type;
  switch (type) {
    case 'datepicker':
      return { type, selected_date: node.value || null };
    case 'static_select':
      return {
        type,
        selected_option: node.value
          ? {
              text: { type: 'plain_text', text: node.selectedOptions[0].textContent, emoji: true },
              value: node.value,
            }
          : null,
      };
    case 'radio_buttons': {
      const chosen = node.querySelector('input:checked');
      return {
        type,
        selected_option: chosen
          ? ((node.options ?? []).find((option) => option.value === chosen.value) ?? null)
          : null,
      };
    }
    case 'checkboxes': {
      const chosen = [...node.querySelectorAll('input:checked')].map((input) => input.value);
      return {
        type,
        selected_options: (node.options ?? []).filter((option) => chosen.includes(option.value)),
      };
    }
    default:
      return { type, value: node.value === '' ? null : node.value };
  }
}

/** `view.state.values`: block_id → action_id → the element's state. */
export function collectValues(root) {
  const values = {};
  for (const node of root.querySelectorAll('[data-input]')) {
    const { blockId, actionId } = node.dataset;
    values[blockId] ??= {};
    values[blockId][actionId] = readField(node);
  }
  return values;
}

/**
 * What the Slack client itself refuses before sending a submission: an empty required input, text shorter than
 * min_length or longer than max_length, a URL that is not one. Errors by block_id, in Slack's words.
 */
export function clientSideErrors(root) {
  const errors = {};
  for (const block of root.querySelectorAll('.block-input')) {
    const node = block.querySelector('[data-input]');
    if (!node) continue;
    const state = readField(node);
    const empty =
      state.value === null ||
      state.selected_date === null ||
      state.selected_option === null ||
      state.selected_options?.length === 0;
    if (empty) {
      if (block.dataset.optional !== 'true')
        errors[block.dataset.blockId] = 'Please complete this required field.';
      continue;
    }
    const min = Number(node.getAttribute('minlength') ?? 0);
    if (typeof state.value === 'string' && state.value.length < min)
      errors[block.dataset.blockId] = `Please enter at least ${min} characters.`;
    if (state.type === 'url_text_input' && !/^https?:\/\/\S+$/.test(state.value))
      errors[block.dataset.blockId] = 'Please enter a valid URL.';
  }
  return errors;
}

function sectionBlock(block, context) {
  const body = el('div', { class: 'section-body' });
  if (block.text)
    body.append(el('div', { class: 'section-text', html: textHtml(block.text, context.users) }));
  if (block.fields?.length)
    body.append(
      el(
        'div',
        { class: 'section-fields' },
        block.fields.map((text) =>
          el('div', { class: 'section-field', html: textHtml(text, context.users) }),
        ),
      ),
    );
  const accessory = block.accessory
    ? el('div', { class: 'section-accessory' }, elementNode(block.accessory, block.block_id, context, true))
    : undefined;
  return el('div', { class: 'block block-section' }, body, accessory);
}

function inputBlock(block, context) {
  const error = context.errors?.[block.block_id];
  return el(
    'div',
    {
      class: `block block-input${error ? ' has-error' : ''}`,
      'data-block-id': block.block_id,
      'data-optional': block.optional ? 'true' : 'false',
    },
    el(
      'label',
      { class: 'input-label' },
      el('span', { html: plainTextHtml(block.label?.text) }),
      block.optional ? el('span', { class: 'optional' }, ' (optional)') : undefined,
    ),
    field(block.element, block.block_id, context, block.dispatch_action === true),
    error ? el('div', { class: 'input-error', role: 'alert', html: plainTextHtml(error) }) : undefined,
    block.hint ? el('div', { class: 'input-hint', html: plainTextHtml(block.hint.text) }) : undefined,
  );
}

export function renderBlock(block, context) {
  switch (block.type) {
    case 'header':
      return el('div', { class: 'block block-header', html: plainTextHtml(block.text?.text) });
    case 'section':
      return sectionBlock(block, context);
    case 'context':
      return el(
        'div',
        { class: 'block block-context' },
        (block.elements ?? []).map((element) =>
          element.type === 'image'
            ? el('img', { src: element.image_url, alt: element.alt_text ?? '' })
            : el('span', { html: textHtml(element, context.users) }),
        ),
      );
    case 'actions':
      return el(
        'div',
        { class: 'block block-actions' },
        (block.elements ?? []).map((element) => elementNode(element, block.block_id, context, true)),
      );
    case 'divider':
      return el('hr', { class: 'block block-divider' });
    case 'image':
      return el(
        'figure',
        { class: 'block block-image' },
        block.title ? el('figcaption', { html: plainTextHtml(block.title.text) }) : undefined,
        el('img', {
          src: block.image_url ?? (block.slack_file?.id ? `/files/${block.slack_file.id}` : ''),
          alt: block.alt_text ?? '',
        }),
      );
    case 'input':
      return inputBlock(block, context);
    default:
      return el('div', { class: 'block unsupported', html: `${escapeHtml(`[${block.type} block]`)}` });
  }
}

export function renderBlocks(blocks, context) {
  return el(
    'div',
    { class: 'blocks' },
    (blocks ?? []).map((block) => renderBlock(block, context)),
  );
}
