/**
 * The text of every template of a chart tree, read once, while the rendered chart's folder
 * still exists (that of an archive, a partial render or a git revision is temporary): the
 * template locator (render/template-lines.ts, where in a template a field is written) and
 * the chart facts (src/chart-facts.ts, what the templates say beyond one render) both read
 * these texts, and neither goes back to the disk.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { chartArchiveFiles } from "../load/chart-archive.ts";
import { chartTree, templateFiles, type ChartNode } from "./probe-copy.ts";

/** A larger file, or one with a NUL byte, is data kept under templates/, not a template read for facts or lines. */
const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

/**
 * Every file under templates/ of every chart in the tree, by its path relative to the chart
 * (`templates/x.yaml`, `charts/db/templates/y.yaml`); the templates of packaged subcharts
 * (`charts/x.tgz`) under the path Helm's `# Source:` gives them. Empty when the tree cannot be
 * read (Helm rendered it, so its own errors, if any, have been said). With `only`, just those
 * files of the chart (the templates a render's documents name): no walk, no archive opened.
 */
export async function readChartTemplates(chartDir: string, only?: Iterable<string>): Promise<Map<string, string>> {
  if (only !== undefined) {
    const read = async (file: string) => [file, templateText(await readFile(path.join(chartDir, file)).catch(() => undefined))] as const;
    const texts = await Promise.all([...only].map(read));
    return new Map(texts.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
  }
  let nodes: ChartNode[];
  try {
    nodes = chartTree(chartDir);
  } catch {
    return new Map(); // a Chart.yaml Helm rendered but we cannot read: no texts, rules keep their default
  }
  const texts = new Map<string, string>();
  for (const node of nodes) {
    for (const file of templateFiles(path.join(node.dir, "templates"))) {
      const text = templateText(readFileSync(file));
      if (text !== undefined) texts.set(path.relative(chartDir, file).replaceAll(path.sep, "/"), text);
    }
  }
  for (const [file, text] of await packagedTemplateTexts(chartDir, nodes)) texts.set(file, text);
  return texts;
}

/**
 * The templates of packaged subcharts (`charts/x.tgz`), read from the archive, under the
 * path Helm's `# Source:` gives them (`charts/<chart>/templates/...`, nested the same way):
 * bitnami's `common` library, for one, is usually packaged.
 */
async function packagedTemplateTexts(chartDir: string, nodes: readonly ChartNode[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const node of nodes) {
    const charts = path.join(node.dir, "charts");
    if (!existsSync(charts)) continue;
    const parent = path.relative(chartDir, node.dir).replaceAll(path.sep, "/");
    for (const name of readdirSync(charts).filter((entry) => /\.tgz$/i.test(entry))) {
      const files = await chartArchiveFiles(path.join(charts, name)).catch(() => new Map<string, Buffer>());
      for (const [inArchive, data] of files) {
        if (!/(^|\/)templates\//.test(inArchive)) continue;
        const text = templateText(data);
        if (text !== undefined) texts.set([parent, "charts", inArchive].filter((part) => part !== "").join("/"), text);
      }
    }
  }
  return texts;
}

function templateText(data: Buffer | undefined): string | undefined {
  return data !== undefined && data.length <= MAX_TEMPLATE_BYTES && !data.includes(0) ? data.toString("utf8") : undefined;
}
