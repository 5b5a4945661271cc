/**
 * Pages to PNG with Debian's headless Chromium, then made small with pngquant. Installs what is
 * missing with apt-get (as root, the way this project's machines are), so a fresh machine can
 * run `npm run gallery`; CI never needs any of it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';

/** Debian packages the pictures need, each with a file that shows it is installed. */
const PACKAGES: readonly [string, string][] = [
  ['chromium', CHROMIUM],
  ['pngquant', '/usr/bin/pngquant'],
  ['fonts-open-sans', '/usr/share/fonts/truetype/open-sans'],
  ['fonts-noto-color-emoji', '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'],
];

export function installTools(): void {
  const missing = PACKAGES.filter(([, file]) => !existsSync(file)).map(([name]) => name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The pictures need ${missing.join(', ')}: apt-get install -y ${missing.join(' ')}`,
    );
  }
  console.log(`Installing ${missing.join(', ')} with apt-get`);
  const options = {
    stdio: 'inherit' as const,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  };
  execFileSync('apt-get', ['update'], options);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], options);
}

/** Chromium without anything that reaches out to the network or keeps state between runs. */
function chromium(args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'gallery-chromium-'));
  try {
    return execFileSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        '--force-device-scale-factor=1',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function pageFile(dir: string, name: string, html: string): string {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

/** The laid-out height of each `.scene` on the page, by id, read back from Chromium's DOM. */
export function sceneHeights(html: string, width: number): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'gallery-'));
  try {
    const dom = chromium([
      `--window-size=${width},2000`,
      '--dump-dom',
      pageFile(dir, 'measure', html),
    ]);
    const heights = new Map<string, number>();
    for (const match of dom.matchAll(/class="scene" id="([^"]+)" data-height="(\d+)"/g)) {
      heights.set(match[1] ?? '', Number(match[2]));
    }
    return heights;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A page captured at exactly this size, written as an optimised PNG; returns its size in bytes. */
export function capture(html: string, width: number, height: number, png: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'gallery-'));
  try {
    const shot = join(dir, 'shot.png');
    chromium([
      `--window-size=${width},${height}`,
      `--screenshot=${shot}`,
      pageFile(dir, 'page', html),
    ]);
    execFileSync('pngquant', [
      '--force',
      '--strip',
      '--speed=1',
      '--quality=70-95',
      '--output',
      png,
      shot,
    ]);
    return statSync(png).size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
