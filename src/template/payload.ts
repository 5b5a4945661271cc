/** The `payload` input: every string in it is a template, rendered on its own so the result stays valid JSON. */
import { isRecord } from '../context.js';
import {
  createRenderer,
  type Renderer,
  type RenderOptions,
  type TemplateContext,
} from './engine.js';
import { httpUrl } from './escape.js';

export async function renderPayload(
  payload: Record<string, unknown>,
  context: TemplateContext,
  options: RenderOptions = {},
): Promise<Record<string, unknown>> {
  const renderer = createRenderer(context, options, 'payload');
  const rendered = (await renderValue(payload, renderer, '')) as Record<string, unknown>;
  keepHttpUrls(rendered, options.warn ?? (() => {}));
  return rendered;
}

/** Attachment fields Mattermost makes links or images of (server-facts §6). */
const URL_FIELDS = [
  'title_link',
  'author_link',
  'author_icon',
  'image_url',
  'thumb_url',
  'footer_icon',
] as const;

/**
 * An attachment URL field filled from event text may hold anything (`javascript:...`); current
 * servers refuse a post with one that is not http(s), older ones show it. Such a field is left
 * out, with a warning, and the post goes.
 */
function keepHttpUrls(payload: Record<string, unknown>, warn: (message: string) => void): void {
  // The post's own icon: the webhook's `icon_url`, the API's `props.override_icon_url`.
  keepHttpUrl(payload, 'icon_url', 'icon_url', warn);
  if (isRecord(payload.props))
    keepHttpUrl(payload.props, 'override_icon_url', 'props.override_icon_url', warn);
  const lists: Array<[string, unknown]> = [
    ['attachments', payload.attachments],
    ['props.attachments', isRecord(payload.props) ? payload.props.attachments : undefined],
  ];
  for (const [path, list] of lists) {
    if (!Array.isArray(list)) continue;
    for (const [index, attachment] of list.entries()) {
      if (!isRecord(attachment)) continue;
      for (const field of URL_FIELDS)
        keepHttpUrl(attachment, field, `${path}[${index}].${field}`, warn);
    }
  }
}

function keepHttpUrl(
  record: Record<string, unknown>,
  field: string,
  path: string,
  warn: (message: string) => void,
): void {
  const value = record[field];
  if (value === undefined || value === null || value === '') return;
  if (typeof value === 'string' && httpUrl(value.trim())) {
    record[field] = value.trim();
    return;
  }
  delete record[field];
  warn(
    `payload: ${path} is not an http(s) URL, so it was left out: ${JSON.stringify(String(value).slice(0, 80))}.`,
  );
}

async function renderValue(value: unknown, renderer: Renderer, path: string): Promise<unknown> {
  if (typeof value === 'string') {
    return value.includes('{')
      ? renderer.render(value, `payload template at ${path || 'the top'}`)
      : value;
  }
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [index, item] of value.entries())
      items.push(await renderValue(item, renderer, `${path}[${index}]`));
    return items;
  }
  if (value !== null && typeof value === 'object') {
    const rendered: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      rendered[key] = await renderValue(item, renderer, path ? `${path}.${key}` : key);
    }
    return rendered;
  }
  return value;
}
