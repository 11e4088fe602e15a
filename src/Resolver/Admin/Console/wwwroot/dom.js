// DOM helpers. Text from the API (cache records, upstream errors: attacker-controlled strings) is only ever set as
// textContent, never parsed as HTML.

/** An element with properties (className, id, type, disabled, ...; dataset via 'data') and children (strings become text). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'data') {
      Object.assign(node.dataset, value);
    } else if (key === 'onclick') {
      node.addEventListener('click', value);
    } else {
      node[key] = value;
    }
  }

  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }

  return node;
}

/** Replaces a table body's rows; an empty list shows one muted row saying so. */
export function fillRows(table, rows, empty) {
  const body = table.tBodies[0];
  const columns = table.tHead.rows[0].cells.length;
  body.replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colSpan: columns, className: 'muted' }, empty))]));
}

/** A table cell; numbers are right-aligned. */
export const td = (value, className = '') => el('td', { className: typeof value === 'number' ? `num ${className}` : className }, value ?? '-');

export const time = (iso) => (iso ? new Date(iso).toISOString().replace('.000Z', 'Z').replace('T', ' ') : '-');

export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }

  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Whether the signed-in token may act (Admin); Read tokens see every button disabled. */
export const role = { admin: false };

/** A button for an Admin action: disabled for a Read token, with a title that says why. */
export function actionButton(label, onClick, className = '') {
  const button = el('button', { type: 'button', className: `admin-only ${className}`.trim(), onclick: onClick }, label);
  if (!role.admin) {
    button.disabled = true;
    button.title = 'Needs an Admin token';
  }

  return button;
}
