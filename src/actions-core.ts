/**
 * The part of `@actions/core` the action uses, doing what core's function of the same name does
 * (test/actions-core.test.ts compares the bytes), except where a comment below says otherwise:
 * the GITHUB_OUTPUT delimiter, and how the log is written. Importing `@actions/core` itself
 * also evaluates its OIDC client (`@actions/http-client` with `https`, `tls` and `tunnel`) and
 * its platform probe (`@actions/exec`, `child_process`) at start-up, none of which a
 * notification needs.
 */
import { appendFileSync, existsSync, writeSync } from 'node:fs';
import { EOL } from 'node:os';
import { toCommandValue } from '@actions/core/lib/utils.js';

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
  writeLog(EOL);
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
  writeLog(message + EOL);
}

export function notice(message: string): void {
  issueCommand('notice', {}, message);
}

export function warning(message: string): void {
  issueCommand('warning', {}, message);
}

/** `::command key=value,…::message`, as core's `issueCommand` writes it. */
function issueCommand(command: string, properties: Record<string, string>, message: string): void {
  const entries = Object.entries(properties);
  // Core writes the space for any properties, then only those with a value.
  const props =
    entries.length > 0
      ? ` ${entries
          .filter(([, value]) => value)
          .map(([key, value]) => `${key}=${escapeProperty(value)}`)
          .join(',')}`
      : '';
  writeLog(`::${command}${props}::${escapeData(message)}${EOL}`);
}

function escapeData(text: string): string {
  return toCommandValue(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

let logThroughStream = process.platform === 'win32';
let logRedirect: ((text: string) => void) | undefined;

/** Runs the action in-process (test/support/action.ts): the log goes to `collect` meanwhile. */
export function redirectLog(collect: ((text: string) => void) | undefined): void {
  logRedirect = collect;
}

/**
 * Writes to the job log, as core does through `process.stdout`, but with a synchronous write to
 * fd 1: for the pipe a runner gives, `process.stdout` is a socket whose first use costs ~1.4 ms
 * on Node 24 (1.1 ms on 20), against 0.1–0.2 ms for the direct write. Should fd 1 be
 * non-blocking (someone made process.stdout) and the pipe full, this and every later line go
 * through process.stdout, so the log keeps its order. That order holds only while nothing else
 * writes through process.stdout (a line it still holds could come after ours): nothing in src/
 * does, and test/actions-core.test.ts keeps it so. Windows: the stream.
 */
function writeLog(text: string): void {
  if (logRedirect) {
    logRedirect(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (!logThroughStream && written < bytes.length) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      logThroughStream = true;
    }
  }
  if (written < bytes.length) process.stdout.write(bytes.subarray(written));
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
