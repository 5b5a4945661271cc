/** Templates: the Liquid engine, the escaping, the built-in messages and the status attachment. */
export { type RenderOptions, renderMessage, type TemplateContext } from './engine.js';
export { escapeMarkdown, neutraliseMentions } from './escape.js';
export { renderPayload } from './payload.js';
export { type Attachment, statusAttachment } from './status.js';
