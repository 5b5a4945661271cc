import { run } from './main.js';

// No top-level await: dist/index.js is a CommonJS script. run() reports its own failures.
void run();
