/**
 * The Liquid engine, sandboxed: no file access, no prototype access, bounded work, and every
 * `{{ value }}` escaped for Mattermost by default.
 */
import { CaptureTag, Context, type FS, Liquid, LiquidError, Tag, type TagToken } from 'liquidjs';
import type { EventPayload, GitHubContext, Links } from '../context.js';
import { ActionError } from '../errors.js';
import type { Change, FailedJob } from '../failures/types.js';
import {
  escapeOutput,
  MENTION_REGISTER,
  type MentionLookup,
  registerFilters,
  SafeText,
} from './filters.js';
import { builtInMessage } from './messages/index.js';

export interface TemplateContext {
  github: GitHubContext;
  event: EventPayload;
  /** `status` is '' when the `status` input is not given. */
  job: { status: string };
  env: Record<string, string>;
  links: Links;
  /** The failed jobs of the run reported (`failed_jobs`); empty when nothing failed. */
  failed_jobs?: FailedJob[];
  /** `broke` or `fixed` with `notify-on: change`; '' otherwise. */
  change?: Change | '';
  /** With `mention-on-failure: author`, whom the failure belongs to (print it with `mention`). */
  failure_author?: { login: string } | null;
}

export interface RenderOptions {
  /** Mattermost username (no '@') for a GitHub login, or undefined if not mapped. Case-insensitive lookup is the caller's job. */
  mentionFor?: MentionLookup;
}

/** Bounds on one render call, so that a hostile or buggy template cannot hang the step. */
const LIMITS = {
  /** Characters of template source parsed at once. */
  parseLimit: 1_000_000,
  /** Milliseconds of rendering, for all the templates of one call together. */
  renderLimit: 3_000,
  /** liquidjs's count of allocated items (string lengths, ranges, array sizes). */
  memoryLimit: 20_000_000,
};

const NO_FILE_SYSTEM: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error('templates cannot read files');
  },
  readFileSync: () => {
    throw new Error('templates cannot read files');
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** `include`, `render` and `layout` would read files: they fail when the template is parsed. */
class FileTagDisabled extends Tag {
  constructor(token: TagToken, remainTokens: ConstructorParameters<typeof Tag>[1], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`{% ${token.name} %} is not available: templates cannot read files`);
  }

  render(): void {}
}

/** A capture holds rendered (already escaped) text: printing it again must not escape it twice. */
class SafeCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const scope = ctx.bottom() as Record<string, unknown>;
    scope[this.variable] = new SafeText(String(scope[this.variable] ?? ''));
  }
}

let engine: Liquid | undefined;

function liquidEngine(): Liquid {
  if (engine) return engine;
  const liquid = new Liquid({
    outputEscape: escapeOutput,
    ownPropertyOnly: true,
    strictFilters: true,
    relativeReference: false,
    dynamicPartials: false,
    root: [],
    partials: [],
    layouts: [],
    fs: NO_FILE_SYSTEM,
    parseLimit: LIMITS.parseLimit,
  });
  for (const name of ['include', 'render', 'layout']) liquid.registerTag(name, FileTagDisabled);
  liquid.registerTag('capture', SafeCaptureTag);
  registerFilters(liquid);
  engine = liquid;
  return liquid;
}

/**
 * One render call: templates rendered with it share the time and memory budget and the
 * `mentionFor` look-up, each with its own variables.
 */
export interface Renderer {
  render(source: string, where: string): Promise<string>;
}

/**
 * @param input the action input the templates come from, named in errors (`message`, `payload`).
 */
export function createRenderer(
  context: TemplateContext,
  options: RenderOptions,
  input: string,
): Renderer {
  const liquid = liquidEngine();
  let budget: Pick<Context, 'memoryLimit' | 'renderLimit'> | undefined;
  return {
    async render(source, where) {
      const scope = { ...context };
      const ctx = new Context(
        scope,
        liquid.options,
        { renderLimit: LIMITS.renderLimit, memoryLimit: LIMITS.memoryLimit },
        { ...budget, liquid },
      );
      budget ??= { memoryLimit: ctx.memoryLimit, renderLimit: ctx.renderLimit };
      ctx.setRegister(MENTION_REGISTER, options.mentionFor);
      try {
        const templates = liquid.parse(source);
        const output: unknown = await liquid.render(templates, ctx);
        return typeof output === 'string' ? output : String(output ?? '');
      } catch (error) {
        throw templateError(error, where, input);
      }
    },
  };
}

/** `The message template has an error on line 3, column 1: tag "includ" not found.` */
function templateError(error: unknown, where: string, input: string): ActionError {
  const liquidError = LiquidError.is(error) ? error : undefined;
  const reason = (
    liquidError?.originalError?.message ?? (error instanceof Error ? error.message : String(error))
  )
    .replace(/, line:\d+, col:\d+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const [line, column] = liquidError?.token?.getPosition() ?? [];
  const why = /limit exceeded$/.test(reason)
    ? `${reason}: it does too much work (a loop too long?)`
    : reason;
  const position =
    line === undefined ? '' : ` on line ${line}${column === undefined ? '' : `, column ${column}`}`;
  return new ActionError(`The ${where} has an error${position}: ${why.replace(/\.$/, '')}.`, {
    input,
    cause: error,
  });
}

/** `template` undefined: the built-in message for the event. Throws ActionError (input `message`) on a template error. */
export async function renderMessage(
  template: string | undefined,
  context: TemplateContext,
  options: RenderOptions = {},
): Promise<string> {
  const renderer = createRenderer(context, options, 'message');
  if (template !== undefined) return renderer.render(template, 'message template');
  const message = await renderer.render(
    builtInMessage(context.github.event_name),
    'built-in message',
  );
  return message.trim();
}
