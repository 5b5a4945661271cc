/**
 * The part of `@actions/core` the action uses, taken from core's own command modules. Importing
 * `@actions/core` itself also evaluates its OIDC client (`@actions/http-client` with `https`,
 * `tls` and `tunnel`) and its platform probe (`@actions/exec`, `child_process`) at start-up,
 * none of which a notification needs. Each function does what core's of the same name does.
 */
import { EOL } from 'node:os';
import { issueCommand } from '@actions/core/lib/command.js';
import { issueFileCommand, prepareKeyValueMessage } from '@actions/core/lib/file-command.js';

export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export function setOutput(name: string, value: string): void {
  if (process.env.GITHUB_OUTPUT) {
    issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
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
