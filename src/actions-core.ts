/**
 * The part of `@actions/core` the action uses, taken from core's own command modules. Importing
 * `@actions/core` itself also evaluates its OIDC client (`@actions/http-client` with `https`,
 * `tls` and `tunnel`) and its platform probe (`@actions/exec`, `child_process`) at start-up,
 * none of which a notification needs. Each function does what core's of the same name does.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { issueCommand } from '@actions/core/lib/command.js';

export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export function setOutput(name: string, value: string): void {
  const outputFile = process.env.GITHUB_OUTPUT;
  if (outputFile) {
    if (!existsSync(outputFile)) throw new Error(`Missing file at path: ${outputFile}`);
    appendFileSync(outputFile, `${keyValueBlock(name, value)}${EOL}`, { encoding: 'utf8' });
    return;
  }
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, value);
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', {}, message);
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function notice(message: string): void {
  issueCommand('notice', {}, message);
}

export function warning(message: string): void {
  issueCommand('warning', {}, message);
}

/**
 * `name<<delimiter`, the value, the delimiter: what core's `prepareKeyValueMessage` writes to a
 * file command. Core draws the delimiter with `crypto.randomUUID()`, and its file-command module
 * loads `node:crypto` when imported (~4 ms, a tenth of a webhook run). What keeps a value from
 * ending its block early, and writing outputs of its own, is that the delimiter does not occur in
 * it: core checks that and throws; this draws another delimiter. So `Math.random` is enough.
 */
export function keyValueBlock(name: string, value: string, random = Math.random): string {
  let delimiter: string;
  do {
    delimiter = `ghadelimiter_${uuidShaped(random)}`;
  } while (name.includes(delimiter) || value.includes(delimiter));
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}`;
}

/** 8-4-4-4-12 hex digits, as core's delimiter looks. */
function uuidShaped(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}
