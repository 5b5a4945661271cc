/** What a Mattermost (or GitHub) server answered, kept so an error line can name it. */
export interface ServerAnswer {
  status: number;
  /** Mattermost AppError id, e.g. `api.context.session_expired.app_error`. */
  id?: string;
  /** The `X-Request-Id` response header. */
  requestId?: string;
}

export interface ActionErrorOptions {
  /** The action input the error is about, e.g. `user-email`. */
  input?: string;
  server?: ServerAnswer;
  cause?: unknown;
}

/**
 * The one error type the action raises on purpose. Its message is a single line a person can act
 * on; `main` prints it as is. It never holds a secret: callers build it from masked values.
 */
export class ActionError extends Error {
  readonly input: string | undefined;
  readonly server: ServerAnswer | undefined;

  constructor(message: string, options: ActionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ActionError';
    this.input = options.input;
    this.server = options.server;
  }
}

/** `(403 api.user.get_user_by_email.permissions.app_error, request abc123)` */
export function describeServerAnswer(answer: ServerAnswer): string {
  const parts = [String(answer.status), answer.id].filter(Boolean).join(' ');
  return answer.requestId ? `(${parts}, request ${answer.requestId})` : `(${parts})`;
}
