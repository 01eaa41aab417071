// Runs pa11y (HTML_CodeSniffer, WCAG 2.1 AA) on a list of pages with one Chromium.
// stdin: {"executablePath": "/usr/bin/chromium", "cookie": "sessionid=…", "width": 1280,
//         "urls": ["http://…/", …]}
// stdout: [{"url": …, "issues": [{"code", "message", "selector", "type"}]}, …]
"use strict";
const pa11y = require("pa11y");
const puppeteer = require("puppeteer");

async function main() {
  const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const browser = await puppeteer.launch({
    executablePath: input.executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const results = [];
  try {
    for (const url of input.urls) {
      const page = await browser.newPage();
      try {
        const result = await pa11y(url, {
          browser,
          page,
          runners: ["htmlcs"],
          standard: "WCAG2AA",
          includeWarnings: false,
          includeNotices: false,
          timeout: 30000,
          viewport: { width: input.width || 1280, height: 900 },
          headers: input.cookie ? { Cookie: input.cookie } : {},
        });
        results.push({ url, issues: result.issues.map(({ code, message, selector, type }) => ({ code, message, selector, type })) });
      } catch (error) {
        results.push({ url, error: String(error) });
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
