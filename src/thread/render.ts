/** The `thread-key` and `thread-root` templates, rendered with the message's safe engine. */
import type { ThreadConfig } from '../config.js';
import { ActionError } from '../errors.js';
import { createRenderer, type RenderOptions, type TemplateContext } from '../template/engine.js';
import { builtInRoot } from '../template/roots/index.js';
import type { Thread } from './root.js';

export async function renderThread(
  config: ThreadConfig,
  context: TemplateContext,
  options: RenderOptions,
): Promise<Thread> {
  const key = (
    await createRenderer(context, options, 'thread-key').render(
      config.keyTemplate,
      'thread-key template',
    )
  ).trim();
  if (!key) {
    throw new ActionError(
      'thread-key is empty after rendering: check the thread-key template (a variable that is not in this event renders as nothing).',
      { input: 'thread-key' },
    );
  }
  return {
    key,
    root: await renderRoot(config, context, options),
    lookbackDays: config.lookbackDays,
  };
}

async function renderRoot(
  config: ThreadConfig,
  context: TemplateContext,
  options: RenderOptions,
): Promise<string | undefined> {
  if (config.rootTemplate === undefined) return undefined;
  const renderer = createRenderer(context, options, 'thread-root');
  const root =
    config.rootTemplate === 'built-in'
      ? await renderer.render(
          builtInRoot(context.github.event_name, context.event),
          'built-in thread root',
        )
      : await renderer.render(config.rootTemplate, 'thread-root template');
  if (!root.trim()) {
    throw new ActionError('thread-root is empty after rendering: check the thread-root template.', {
      input: 'thread-root',
    });
  }
  return root.trim();
}
