/**
 * Draws a Vega-Lite chart without a browser: Vega-Lite compiles it to Vega, a
 * headless Vega view renders SVG, and sharp turns the SVG into PNG.
 */
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, version as vegaLiteVersion, type TopLevelSpec } from 'vega-lite';
import { SemiprivError } from '../errors.js';

/** A drawn chart. */
export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * Renders `spec` to SVG and PNG.
 *
 * @param scale - PNG pixels per SVG unit (2 for sharp text on high-density
 *   screens).
 *
 * @example
 * const { svg, png } = await renderChart(confusionChart(matrix, names));
 */
export async function renderChart(spec: TopLevelSpec, scale = 2): Promise<RenderedChart> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    if (!size) {
      throw new SemiprivError('SP_INTERNAL', 'renderChart: Vega drew an SVG without a size');
    }
    const png = await sharp(Buffer.from(svg), { density: 72 * scale })
      .png({ compressionLevel: 9 })
      .toBuffer();
    return { svg, png: new Uint8Array(png), width: Number(size[1]), height: Number(size[2]) };
  } finally {
    view.finalize();
  }
}

/** Versions of the charting packages, for the report's list of software. */
export function chartVersions(): Record<string, string> {
  return { vega: vega.version, 'vega-lite': vegaLiteVersion, sharp: sharp.versions.sharp ?? '' };
}
