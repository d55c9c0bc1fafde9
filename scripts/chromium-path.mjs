// Prints the path of the headless Chromium shipped inside @sparticuz/chromium (ESM-only,
// so the CommonJS test runtime asks this small script), unpacking it on first use.
import chromium from '@sparticuz/chromium';

process.stdout.write(`${JSON.stringify({ path: await chromium.executablePath(), args: chromium.args })}\n`);
