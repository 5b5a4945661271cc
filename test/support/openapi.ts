// Checks requests and responses against Mattermost's published OpenAPI files
// (../shared/mattermost/openapi/, read at test time, never copied): every operation the files
// describe is checked, whatever route serves it, so a route added to the test server is checked
// as soon as it exists. Where the files are wrong about the server (the server source wins, as
// in ../shared/mattermost/server-facts.md) the deviation is listed below with its source.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from './action.js';
import { parseMultipart } from './multipart.js';

export const OPENAPI_DIR = join(repoRoot, '../shared/mattermost/openapi');

export interface CheckedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: Buffer;
}

export interface CheckedResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments: the more, the more specific (`/users/usernames` before `/users/{id}`). */
  literals: number;
  spec: Json;
  /** Where it comes from: an OpenAPI file, or the supplement below. */
  source: string;
}

/**
 * Fields the server sends or reads that the files describe wrongly or not at all. Each entry
 * names the server source that decides. Response schemas are checked with no extra fields
 * allowed, so that the test server cannot invent any: these are the real ones the files miss.
 */
const SCHEMA_DEVIATIONS: Record<string, Json> = {
  // `server/public/model/post.go` Post: `hashtags` (the files say `hashtag`), `is_pinned`,
  // `reply_count`, `last_reply_at`, `participants`, `remote_id` are sent with every post.
  Post: {
    hashtags: { type: 'string' },
    is_pinned: { type: 'boolean' },
    reply_count: { type: 'integer' },
    last_reply_at: { type: 'integer' },
    participants: { type: 'array', nullable: true },
    remote_id: { type: 'string' },
  },
  // `server/public/model/user.go` User: `is_bot` (and the bot's fields) are sent for bot users.
  User: {
    is_bot: { type: 'boolean' },
    bot_description: { type: 'string' },
    bot_last_icon_update: { type: 'integer' },
    last_activity_at: { type: 'integer' },
  },
  // `server/public/model/file_info.go` FileInfo: `channel_id` of the upload, `archived`.
  FileInfo: {
    channel_id: { type: 'string' },
    archived: { type: 'boolean' },
  },
  // `server/public/model/reaction.go` Reaction: also `update_at`, `delete_at`, `remote_id`,
  // `channel_id`.
  Reaction: {
    update_at: { type: 'integer' },
    delete_at: { type: 'integer' },
    remote_id: { type: 'string' },
    channel_id: { type: 'string' },
  },
  // `server/public/model/utils.go` AppError: `detailed_error` is always in the JSON (blank
  // outside developer mode); `is_oauth` when set.
  AppError: {
    detailed_error: { type: 'string' },
    is_oauth: { type: 'boolean' },
  },
};

/**
 * Request fields the files describe wrongly or leave out (`adds`), by `METHOD /path` and property
 * of the body schema. Request bodies are closed (no field the files and these do not name), so a
 * misspelt field (`file_id`) fails like a wrong type; the real server would drop it silently.
 */
const REQUEST_DEVIATIONS: {
  operation: string;
  property: string;
  schema: Json;
  why: string;
  adds?: boolean;
}[] = [
  {
    operation: 'POST /api/v4/posts',
    property: 'pending_post_id',
    schema: { type: 'string' },
    adds: true,
    // `server/public/model/post.go` Post.PendingPostId (`json:"pending_post_id"`), which createPost
    // decodes with the rest of the Post and deduplicates on; the files' Post lists it too.
    why: 'createPost reads the whole Post, pending_post_id included',
  },
  {
    operation: 'POST /api/v4/posts',
    property: 'type',
    schema: { type: 'string' },
    adds: true,
    // Post.Type (`json:"type"`), checked by Post.IsValid (a `system_` type is refused).
    why: 'createPost reads the whole Post, type included',
  },
  {
    operation: 'PUT /api/v4/posts/{post_id}/patch',
    property: 'props',
    schema: { type: 'object' },
    // `server/public/model/post.go` PostPatch.Props is `*StringInterface`: an object. The files
    // say `type: string`, which the server could not decode.
    why: 'PostPatch.Props is a map',
  },
];

/** Query parameters the server reads that the files do not list, by operation. */
const QUERY_DEVIATIONS: { operation: string; params: Json[] }[] = [
  {
    // getPostsForChannel (`server/channels/api4/post.go`) reads these as booleans.
    operation: 'GET /api/v4/channels/{channel_id}/posts',
    params: ['skipFetchThreads', 'collapsedThreads', 'collapsedThreadsExtended'].map((name) => ({
      name,
      in: 'query',
      schema: { type: 'boolean' },
    })),
  },
];

/** Answers the server gives with another success status than the files list. */
const STATUS_DEVIATIONS: { operation: string; status: string; sameAs: string }[] = [
  // saveReaction (`server/channels/api4/reaction.go`) writes no status: 200, not 201.
  { operation: 'POST /api/v4/reactions', status: '200', sameAs: '201' },
];

/**
 * Operations the copied files do not describe, written here in the same OpenAPI shape. Used
 * only where no copied file has the path, so adding the real file replaces an entry.
 */
const SUPPLEMENT: Record<string, Record<string, Json>> = {
  // Not in the API reference at all: `server/channels/web/webhook.go` `incomingWebhook`, body
  // `server/public/model/incoming_webhook.go` IncomingWebhookRequest (JSON, or a form field
  // `payload` holding it). Success is `200 text/plain ok`.
  '/hooks/{hook_id}': {
    post: {
      parameters: [{ name: 'hook_id', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/IncomingWebhookRequest' },
          },
          'application/x-www-form-urlencoded': {
            schema: { type: 'object', properties: { payload: { type: 'string' } } },
          },
          // Any other Content-Type (or none) is read as JSON.
          '*/*': { schema: { $ref: '#/components/schemas/IncomingWebhookRequest' } },
        },
      },
      responses: { '200': { content: { 'text/plain': {} } } },
    },
  },
  // system.yaml was not copied: `server/channels/api4/system.go` getClientConfig, `format`
  // (`old`) required by older servers; the answer is a map of strings.
  '/api/v4/config/client': {
    get: {
      parameters: [{ name: 'format', in: 'query', required: true, schema: { type: 'string' } }],
      responses: {
        '200': {
          content: {
            'application/json': {
              schema: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
  },
  // reactions.yaml was not copied (api/v4/source/reactions.yaml upstream): SaveReaction and
  // DeleteReaction, as published there.
  '/api/v4/reactions': {
    post: {
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/Reaction' } },
        },
      },
      responses: {
        '201': {
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/Reaction' } },
          },
        },
      },
    },
  },
  '/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}': {
    delete: {
      parameters: ['user_id', 'post_id', 'emoji_name'].map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      responses: {
        '200': {
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/StatusOK' } },
          },
        },
      },
    },
  },
};

/** `server/public/model/incoming_webhook.go` IncomingWebhookRequest, for the supplement. */
const INCOMING_WEBHOOK_REQUEST: Json = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    username: { type: 'string' },
    icon_url: { type: 'string' },
    icon_emoji: { type: 'string' },
    channel: { type: 'string' },
    type: { type: 'string' },
    props: { type: 'object' },
    attachments: { type: 'array', items: { type: 'object' } },
    priority: {
      type: 'object',
      properties: {
        priority: { type: 'string' },
        requested_ack: { type: 'boolean' },
        persistent_notifications: { type: 'boolean' },
      },
    },
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export interface OpenApi {
  /** Problems with a request, one line each; none when it is one the real API accepts. */
  checkRequest(request: CheckedRequest): string[];
  /** Problems with an answer to a request (the spec's schema for that status, else AppError). */
  checkResponse(request: CheckedRequest, response: CheckedResponse): string[];
  /**
   * The body's values of the wrong JSON type (a number where the schema has a string): what
   * Go's `json.Decoder` fails on, unlike unknown fields or limits the handler checks itself.
   */
  bodyTypeErrors(request: CheckedRequest): string[];
}

let loaded: OpenApi | undefined;

/** Loaded once per process: every test server shares it. */
export function openApi(): OpenApi {
  loaded ??= loadOpenApi(OPENAPI_DIR);
  return loaded;
}

export function loadOpenApi(dir: string): OpenApi {
  if (!existsSync(dir)) {
    throw new Error(
      `openapi: the Mattermost OpenAPI folder ${dir} is missing: the test server checks every request against it (it comes from ../shared/mattermost/openapi)`,
    );
  }
  const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
  let components: Json = {};
  const paths: Record<string, { item: Json; source: string }> = {};
  for (const name of files) {
    const doc = readYaml(join(dir, name));
    if (!doc) continue;
    if (isRecord(doc.components)) components = doc.components;
    for (const [path, item] of Object.entries(doc)) {
      if (path.startsWith('/') && isRecord(item)) paths[path] = { item, source: name };
    }
  }
  for (const [path, item] of Object.entries(SUPPLEMENT)) {
    paths[path] ??= { item, source: 'the supplement in test/support/openapi.ts' };
  }
  applySchemaDeviations(components);
  const schemas = isRecord(components.schemas) ? components.schemas : {};
  schemas.IncomingWebhookRequest ??= INCOMING_WEBHOOK_REQUEST;

  // The files are not JSON Schema proper (OpenAPI 3.0 keywords): no meta-schema check.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  formats.default(ajv);
  ajv.addSchema({ $id: 'mm', components: withRefs(components, 'mm') });
  ajv.addSchema({ $id: 'mm-closed', components: withRefs(closed(components), 'mm-closed') });
  const compiled = {
    open: new Map<object, ValidateFunction>(),
    closed: new Map<object, ValidateFunction>(),
  };
  const compile = (schema: Json, closedObjects: boolean): ValidateFunction => {
    const cache = closedObjects ? compiled.closed : compiled.open;
    let validate = cache.get(schema);
    if (!validate) {
      validate = closedObjects
        ? ajv.compile(withRefs(closed(schema), 'mm-closed'))
        : ajv.compile(withRefs(schema, 'mm'));
      cache.set(schema, validate);
    }
    return validate;
  };

  const operations: Operation[] = [];
  for (const [template, { item, source }] of Object.entries(paths)) {
    for (const method of METHODS) {
      const spec = item[method];
      if (!isRecord(spec)) continue;
      applyDeviations(`${method.toUpperCase()} ${template}`, spec);
      const segments = template.split('/');
      const pattern = new RegExp(
        `^${segments
          .map((segment) => (/^\{.+\}$/.test(segment) ? '([^/]+)' : escapeRegExp(segment)))
          .join('/')}$`,
      );
      const literals = segments.filter((segment) => !segment.startsWith('{')).length;
      operations.push({ method: method.toUpperCase(), template, pattern, literals, spec, source });
    }
  }
  operations.sort((a, b) => b.literals - a.literals);
  const appError = { $ref: '#/components/schemas/AppError' };

  function find(request: CheckedRequest): Operation | undefined {
    return operations.find((op) => op.method === request.method && op.pattern.test(request.path));
  }

  return {
    checkRequest(request) {
      const op = find(request);
      if (!op) {
        return [
          `no operation in ${OPENAPI_DIR} (nor in the supplement of test/support/openapi.ts) describes this request`,
        ];
      }
      return [...checkQuery(op, request, compile), ...checkBody(op, request, compile)];
    },
    bodyTypeErrors(request) {
      const op = find(request);
      return op ? checkBody(op, request, compile, 'type') : [];
    },
    checkResponse(request, response) {
      const op = find(request);
      if (!op) return [];
      const responses = isRecord(op.spec.responses) ? op.spec.responses : {};
      const documented = responses[String(response.status)];
      const media = mediaType(response.contentType);
      // The rate limiter answers before any route, in plain text (`throttled`'s http.Error;
      // server-facts 3): no operation lists it.
      if (response.status === 429 && media === 'text/plain') return [];
      if (documented === undefined && response.status < 400) {
        return [`the files list no ${response.status} answer for ${op.method} ${op.template}`];
      }
      const content = isRecord(documented) ? resolveResponse(documented, components) : undefined;
      const schema =
        content === undefined
          ? appError
          : isRecord(content[media ?? '']) && isRecord((content[media ?? ''] as Json).schema)
            ? ((content[media ?? ''] as Json).schema as Json)
            : undefined;
      if (content !== undefined && media !== undefined && !(media in content)) {
        return [`answer type ${media} is not one the files list for ${response.status}`];
      }
      if (schema === undefined) return [];
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        return [`answer ${response.status} is not JSON`];
      }
      return errorsOf(compile(schema, true), body, 'answer');
    },
  };
}

type Compile = (schema: Json, closedObjects: boolean) => ValidateFunction;

function checkQuery(op: Operation, request: CheckedRequest, compile: Compile): string[] {
  const params = (Array.isArray(op.spec.parameters) ? op.spec.parameters : []).filter(
    (p): p is Json => isRecord(p) && p.in === 'query',
  );
  const problems: string[] = [];
  for (const name of Object.keys(request.query)) {
    if (!params.some((p) => p.name === name)) {
      problems.push(`query parameter ${name} is not one ${op.method} ${op.template} takes`);
    }
  }
  for (const param of params) {
    const name = String(param.name);
    const raw = request.query[name];
    if (raw === undefined) {
      if (param.required === true) problems.push(`query parameter ${name} is required`);
      continue;
    }
    const schema = isRecord(param.schema) ? param.schema : {};
    problems.push(...errorsOf(compile(schema, false), queryValue(raw, schema), `query ${name}`));
  }
  return problems;
}

function queryValue(raw: string, schema: Json): unknown {
  if (schema.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  if ((schema.type === 'integer' || schema.type === 'number') && raw.trim() !== '') {
    const n = Number(raw);
    return Number.isNaN(n) ? raw : n;
  }
  return raw;
}

function checkBody(
  op: Operation,
  request: CheckedRequest,
  compile: Compile,
  keyword?: string,
): string[] {
  const requestBody = isRecord(op.spec.requestBody) ? op.spec.requestBody : undefined;
  if (!requestBody) {
    return request.body.length > 0 ? [`${op.method} ${op.template} takes no body`] : [];
  }
  if (request.body.length === 0) {
    return requestBody.required === true ? ['the body is required'] : [];
  }
  const content = isRecord(requestBody.content) ? requestBody.content : {};
  // A webhook body without a Content-Type is read as JSON (server-facts 1).
  const media = mediaType(request.contentType) ?? 'application/json';
  const matched = media in content ? media : '*/*';
  const entry = content[matched];
  if (!isRecord(entry)) {
    return [`body type ${media} is not one of ${Object.keys(content).join(', ')}`];
  }
  const schema = isRecord(entry.schema) ? entry.schema : {};
  const read = matched === '*/*' ? 'application/json' : media;
  const value = decodeBody(read, request);
  if (value === undefined) return keyword ? [] : [`the body is not valid ${read}`];
  return errorsOf(compile(schema, true), value, 'body', keyword);
}

function decodeBody(media: string, request: CheckedRequest): unknown {
  if (media === 'multipart/form-data') {
    const parts = parseMultipart(request.body, request.contentType ?? '');
    if (!parts) return undefined;
    // A form field that comes twice becomes an array: a schema that takes one file per
    // request (`files: string`) refuses two.
    const form: Record<string, unknown> = {};
    for (const part of parts) {
      const value = part.filename === undefined ? part.data.toString('utf8') : part.filename;
      const earlier = form[part.name];
      form[part.name] =
        earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
    }
    return form;
  }
  if (media === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
  }
  try {
    return JSON.parse(request.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function errorsOf(
  validate: ValidateFunction,
  value: unknown,
  what: string,
  keyword?: string,
): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .filter((error: ErrorObject) => keyword === undefined || error.keyword === keyword)
    .map((error: ErrorObject) => describeError(what, error));
}

function describeError(what: string, error: ErrorObject): string {
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
      : '';
  return `${what}${error.instancePath} ${error.message ?? error.keyword}${extra}`;
}

function resolveResponse(response: Json, components: Json): Json | undefined {
  let resolved: Json = response;
  if (typeof response.$ref === 'string') {
    const name = response.$ref.replace('#/components/responses/', '');
    const responses = isRecord(components.responses) ? components.responses : {};
    resolved = isRecord(responses[name]) ? (responses[name] as Json) : {};
  }
  return isRecord(resolved.content) ? resolved.content : undefined;
}

function applySchemaDeviations(components: Json): void {
  const schemas = isRecord(components.schemas) ? components.schemas : {};
  for (const [name, extra] of Object.entries(SCHEMA_DEVIATIONS)) {
    const schema = schemas[name];
    if (!isRecord(schema)) throw new Error(`openapi: no schema ${name} to amend`);
    schema.properties = { ...(isRecord(schema.properties) ? schema.properties : {}), ...extra };
  }
}

function applyDeviations(operation: string, spec: Json): void {
  for (const deviation of QUERY_DEVIATIONS) {
    if (deviation.operation !== operation) continue;
    const params = Array.isArray(spec.parameters) ? spec.parameters : [];
    spec.parameters = [...params, ...deviation.params];
  }
  for (const deviation of STATUS_DEVIATIONS) {
    if (deviation.operation !== operation) continue;
    const responses = isRecord(spec.responses) ? spec.responses : {};
    responses[deviation.status] ??= responses[deviation.sameAs];
  }
  applyRequestDeviations(operation, spec);
}

function applyRequestDeviations(operation: string, spec: Json): void {
  for (const deviation of REQUEST_DEVIATIONS) {
    if (deviation.operation !== operation) continue;
    const body = (spec.requestBody as Json | undefined)?.content as Json | undefined;
    const schema = (body?.['application/json'] as Json | undefined)?.schema as Json | undefined;
    const properties = schema?.properties as Json | undefined;
    if (!properties || (!deviation.adds && !(deviation.property in properties))) {
      throw new Error(`openapi: ${operation} has no ${deviation.property} to amend`);
    }
    properties[deviation.property] = deviation.schema;
  }
}

/** `#/components/…` refers into the components added under `id`. */
function withRefs<T>(value: T, id: string): T {
  if (Array.isArray(value)) return value.map((item) => withRefs(item, id)) as T;
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/')
        ? `${id}${inner}`
        : withRefs(inner, id);
  }
  return out as T;
}

/**
 * Object schemas with listed properties take no others: an answer of the test server may hold
 * only what the files (and the deviations above) name. Members of `allOf` are left open, since
 * each lists only its share of the properties.
 */
function closed<T>(value: T, inAllOf = false): T {
  if (Array.isArray(value)) return value.map((item) => closed(item, inAllOf)) as T;
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === 'allOf' && Array.isArray(inner)
        ? inner.map((member) => closed(member, true))
        : closed(inner, false);
  }
  if (!inAllOf && isRecord(out.properties) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out as T;
}

function mediaType(contentType: string | undefined): string | undefined {
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  return media === '' ? undefined : media;
}

/**
 * Parsing the YAML takes about a second, in every test file's worker: the result is kept as
 * JSON in the temp directory, under the hash of the file's text, so a changed file is read anew.
 */
function readYaml(path: string): Json | null {
  const text = readFileSync(path, 'utf8');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const cached = join(tmpdir(), `mattermost-notify-openapi-${hash}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Json | null;
  const doc = parseYaml(text) as Json | null;
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(doc));
  renameSync(partial, cached);
  return doc;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
