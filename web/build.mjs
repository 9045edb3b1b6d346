// Build the dashboard into the Python package: src/metrocircle/web/static/.
// esbuild bundles src/main.js (with maplibre-gl from npm) into one file; index.html, the
// stylesheet and MapLibre's CSS are copied beside it. No file is fetched from the network
// at run time, so a pip-installed metrocircle serves the page without Node.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "metrocircle", "web", "static");

mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) rmSync(join(out, f), { recursive: true, force: true });

await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: join(out, "app.js"),
  legalComments: "linked",
  logLevel: "info",
});
copyFileSync(join(here, "index.html"), join(out, "index.html"));
copyFileSync(join(here, "src", "style.css"), join(out, "style.css"));
copyFileSync(join(here, "node_modules", "maplibre-gl", "dist", "maplibre-gl.css"), join(out, "maplibre-gl.css"));
console.log(`dashboard built into ${out}`);
