/** The `payload` input: every string in it is a template, rendered on its own so the result stays valid JSON. */
import {
  createRenderer,
  type Renderer,
  type RenderOptions,
  type TemplateContext,
} from './engine.js';

export async function renderPayload(
  payload: Record<string, unknown>,
  context: TemplateContext,
  options: RenderOptions = {},
): Promise<Record<string, unknown>> {
  const renderer = createRenderer(context, options, 'payload');
  return (await renderValue(payload, renderer, '')) as Record<string, unknown>;
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
