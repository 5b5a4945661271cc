/**
 * The Liquid engine, sandboxed: no file access, no prototype access, bounded work, and every
 * `{{ value }}` escaped for Mattermost by default.
 */
import type { EventPayload, GitHubContext, Links } from '../context.js';
import { ActionError } from '../errors.js';
import type { Change, FailedJob } from '../failures/types.js';
import { escapeMarkdown, startsMention } from './escape.js';
import {
  MENTION_REGISTER,
  type MentionLookup,
  Printed,
  plainText,
  printed,
  registerFilters,
  SafeText,
} from './filters.js';
import {
  CaptureTag,
  Context,
  Drop,
  type Emitter,
  type FS,
  Liquid,
  LiquidError,
  Tag,
  type TagToken,
  toPromise,
} from './liquid.js';
import { builtInMessage } from './messages/index.js';
import { registerNodeFilters } from './node-filters.js';

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
  /** Where a warning goes (a payload URL field that was left out). */
  warn?: (message: string) => void;
}

/** Bounds on one render call, so that a hostile or buggy template cannot hang the step. */
const LIMITS = {
  /** Characters of template source parsed at once. */
  parseLimit: 1_000_000,
  /** Milliseconds of rendering, for all the templates of one call together. */
  renderLimit: 3_000,
  /** liquidjs's count of allocated items (string lengths, ranges, array sizes). */
  memoryLimit: 20_000_000,
  /** Characters written while rendering, captures included, for all the templates of one call. */
  writeLimit: 2_000_000,
  /**
   * Characters of rendered text one input may give (the message; the payload's strings together):
   * at most 5 posts at the usual 16,383-character post size, 17 at the oldest servers' 4,000.
   */
  renderedLimit: 65_536,
};

/** The register under which a render keeps its write budget, shared with its captures. */
const WRITE_BUDGET_REGISTER = 'mattermost-notify:writeBudget';

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

/** Counts what a render writes, captures included: `capture` is not bounded by liquidjs's memory limit. */
class WriteBudget {
  #left = LIMITS.writeLimit;

  use(characters: number): void {
    this.#left -= characters;
    if (this.#left < 0) {
      throw new Error(
        `rendered text limit exceeded: it writes more than ${LIMITS.writeLimit.toLocaleString('en-US')} characters (a capture or loop that keeps growing?)`,
      );
    }
  }
}

const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Collects the rendered text and escapes each value knowing what the template wrote before it:
 * on a table row (a line with a `|` of the template's), a value's newlines become spaces, so it
 * cannot end the row; right after a literal `@` that starts a mention, a value gets a zero-width
 * space first, so `cc @{{ login }}` cannot become `@all`.
 */
class MessageEmitter implements Emitter {
  buffer = '';
  #onTableRow = false;

  constructor(private readonly budget: WriteBudget) {}

  write(html: unknown): void {
    const text = html instanceof Printed ? this.#place(html) : plainText(html);
    this.budget.use(text.length);
    this.#follow(text);
    this.buffer += text;
  }

  #place(value: Printed): string {
    if (value.kind === 'raw') return value.text;
    const text =
      value.kind === 'plain'
        ? escapeMarkdown(value.text, { inTableRow: this.#onTableRow })
        : value.text;
    return this.#afterMentionStart() && /^[^\s\u200B]/.test(text)
      ? `${ZERO_WIDTH_SPACE}${text}`
      : text;
  }

  #afterMentionStart(): boolean {
    const length = this.buffer.length;
    return this.buffer[length - 1] === '@' && startsMention(this.buffer[length - 2]);
  }

  #follow(text: string): void {
    const lineStart = text.lastIndexOf('\n') + 1;
    const line = text.slice(lineStart);
    this.#onTableRow = (lineStart === 0 && this.#onTableRow) || hasUnescapedPipe(line);
  }
}

function hasUnescapedPipe(text: string): boolean {
  for (let bar = text.indexOf('|'); bar !== -1; bar = text.indexOf('|', bar + 1)) {
    let backslashes = 0;
    while (text[bar - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return true;
  }
  return false;
}

function writeBudgetOf(ctx: Context): WriteBudget {
  const budget: unknown = ctx.getRegister(WRITE_BUDGET_REGISTER);
  if (!(budget instanceof WriteBudget)) throw new Error('render without a write budget');
  return budget;
}

/**
 * A capture holds rendered (already escaped) text: printing it again must not escape it twice.
 * What it renders counts toward the write budget.
 */
class SafeCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    const emitter = new MessageEmitter(writeBudgetOf(ctx));
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    const scope = ctx.bottom() as Record<string, unknown>;
    scope[this.variable] = new SafeText(emitter.buffer);
  }
}

/** Names a Drop (`forloop`, `tablerowloop`, safe text) can be read by: its own data, never its prototypes. */
const DROP_INTERNALS = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Drop.prototype),
  'toLiquid',
  'prototype',
]);

/**
 * liquidjs's `ownPropertyOnly` does not apply to Drops, whose data are getters on their
 * prototype: `{{ forloop.__proto__.__proto__ }}` would reach `Object.prototype`.
 */
class SandboxContext extends Context {
  override readProperty(obj: Parameters<Context['readProperty']>[0], key: unknown): unknown {
    const plainKey: unknown = key instanceof Drop ? key.valueOf() : key;
    if (obj instanceof Drop && typeof plainKey === 'string' && DROP_INTERNALS.has(plainKey))
      return undefined;
    return super.readProperty(obj, key as Parameters<Context['readProperty']>[1]);
  }
}

let engine: Liquid | undefined;

function liquidEngine(): Liquid {
  if (engine) return engine;
  const liquid = new Liquid({
    // Typed as giving a string, but liquidjs hands whatever it gives to the emitter, ours.
    outputEscape: printed as unknown as (value: unknown) => string,
    ownPropertyOnly: true,
    strictFilters: true,
    relativeReference: false,
    dynamicPartials: false,
    root: [],
    partials: [],
    layouts: [],
    fs: NO_FILE_SYSTEM,
    parseLimit: LIMITS.parseLimit,
    // Without a locale, liquidjs asks Intl for the machine's at start-up (ICU loading, ~5 ms).
    // Runners run in en-US anyway. Day and month names follow this locale; `%c`, `%x` and `%X`
    // still follow the machine's (liquidjs formats them with toLocaleString()).
    locale: 'en-US',
  });
  for (const name of ['include', 'render', 'layout']) liquid.registerTag(name, FileTagDisabled);
  liquid.registerTag('capture', SafeCaptureTag);
  registerFilters(liquid);
  registerNodeFilters(liquid);
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
  const writeBudget = new WriteBudget();
  let rendered = 0;
  let budget: Pick<Context, 'memoryLimit' | 'renderLimit'> | undefined;
  return {
    async render(source, where) {
      const scope = { ...context };
      const ctx = new SandboxContext(
        scope,
        liquid.options,
        { renderLimit: LIMITS.renderLimit, memoryLimit: LIMITS.memoryLimit },
        { ...budget, liquid },
      );
      budget ??= { memoryLimit: ctx.memoryLimit, renderLimit: ctx.renderLimit };
      ctx.setRegister(MENTION_REGISTER, options.mentionFor);
      ctx.setRegister(WRITE_BUDGET_REGISTER, writeBudget);
      let output: string;
      try {
        const templates = liquid.parse(source);
        const emitter = new MessageEmitter(writeBudget);
        await toPromise(liquid.renderer.renderTemplates(templates, ctx, emitter));
        output = emitter.buffer;
      } catch (error) {
        throw templateError(error, where, input);
      }
      rendered += output.length;
      if (rendered > LIMITS.renderedLimit) throw tooLong(rendered, input);
      return output;
    },
  };
}

/** `The message is 70,000 characters once rendered, over the 65,536 allowed: ...` */
function tooLong(length: number, input: string): ActionError {
  const what = input === 'message' ? 'The message is' : `The ${input} input's text is`;
  return new ActionError(
    `${what} ${length.toLocaleString('en-US')} characters once rendered, over the ${LIMITS.renderedLimit.toLocaleString('en-US')} allowed: shorten it (truncate long values, limit loops).`,
    { input },
  );
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
